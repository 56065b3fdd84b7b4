"""What the demos (drift_demo.py, outcomes_demo.py) share: the model they drive, the webhook alert receiver,
HTTP calls to the gateway, its drift status, and polling for a condition.

The gateway itself is started by loadtests/demo-gateway.sh; models/make_models.py (the applicants' generator)
is importable once this module is.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))

MODEL, VERSION = "credit-risk", "2"
alerts = []  # every alert the gateway's webhook delivered, in order


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        alerts.extend(json.loads(body)["alerts"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_alert_receiver(port):
    """Receives the gateway's webhook alerts on 127.0.0.1:port into `alerts`; shut the returned server down at the end."""
    server = HTTPServer(("127.0.0.1", port), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _parsed(text):
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return text


def call(method, url, payload=None):
    """(status, body parsed as JSON or else text, headers)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data, {"content-type": "application/json"}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, _parsed(r.read().decode()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, _parsed(e.read().decode()), e.headers


def drift_status(base, query=""):
    """GET /admin/drift/{MODEL}{query}: the drift state of every version."""
    return call("GET", f"{base}/admin/drift/{MODEL}{query}")[1]


def version_of(status, version=VERSION):
    return next(v for v in status["versions"] if v["version"] == version)


def wait_until(condition, seconds, interval=0.05):
    """Polls condition() until it holds (True) or `seconds` have passed (False)."""
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            return False
        time.sleep(interval)
    return True
