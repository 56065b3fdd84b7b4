#!/usr/bin/python3
"""Sends seeded credit-risk traffic to a gateway with outcomes enabled, then labels every answer.

Each request is a row of tests/fixtures/credit-risk-expected.json with every feature scaled by a seeded factor in
[0.7, 1.3]; its label is drawn as Bernoulli(the probability the gateway answered), so the model is calibrated on
this traffic by construction. Usage: loadtests/outcomes_replay.py [URL] [COUNT] [SEED]
"""
import json
import os
import random
import sys
import time
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 14)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows = json.load(open(os.path.join(root, "tests", "fixtures", "credit-risk-expected.json")))["inputs"]


def post(path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


feedback = []
for _ in range(count):
    row = [v * (0.7 + 0.6 * rng.random()) for v in rng.choice(rows)]
    answer = post("/v2/models/credit-risk/infer", {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 12], "data": row}]})
    feedback.append({"id": answer["id"], "label": 1 if rng.random() < answer["outputs"][0]["data"][0] else 0})
time.sleep(1)  # the prediction log writes in the background
print(json.dumps(post("/v2/models/credit-risk/feedback", feedback)))
