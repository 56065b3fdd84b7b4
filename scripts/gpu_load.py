#!/usr/bin/env python3
"""Load generator and answer check for scripts/gpu-check.sh (a GPU machine has no wrk and no .NET).

Speaks the Open Inference Protocol's binary tensor extension over keep-alive HTTP/1.1 (http.client),
from several processes so that the client is not the bottleneck. Standard library only (numpy is used
by `compare` when present, to read the outputs; it falls back to the struct module).

  gpu_load.py bench   --port P --model M --shape 1,3,224,224 -c 16 -d 10 [--warmup 3]
      one JSON line: requests per second, rows per second, p50/p99 latency (ms), errors
  gpu_load.py compare --port A --other-port B --model M --shape 4,3,224,224 [--tolerance 1e-3]
      sends the same seeded inputs to both gateways, prints one JSON line with the largest absolute and
      relative (to the largest magnitude of the reference output) difference; exit 1 above tolerance
"""
import argparse
import http.client
import json
import multiprocessing
import random
import struct
import sys
import time


def tensor_bytes(shape, seed):
    """Seeded FP32 values in [-1, 1), little-endian: the same bytes for the same shape and seed."""
    count = 1
    for d in shape:
        count *= d
    try:
        import numpy
        return numpy.random.default_rng(seed).uniform(-1.0, 1.0, count).astype("<f4").tobytes()
    except ImportError:
        rng = random.Random(seed)
        return struct.pack("<%df" % count, *(rng.uniform(-1.0, 1.0) for _ in range(count)))


def request_body(input_name, shape, seed):
    data = tensor_bytes(shape, seed)
    header = json.dumps({
        "inputs": [{"name": input_name, "shape": list(shape), "datatype": "FP32",
                    "parameters": {"binary_data_size": len(data)}}],
        "parameters": {"binary_data_output": True},
    }, separators=(",", ":")).encode()
    return header, data


def post(conn, path, header, data):
    conn.request("POST", path, body=header + data, headers={
        "Content-Type": "application/octet-stream",
        "Inference-Header-Content-Length": str(len(header)),
    })
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("Inference-Header-Content-Length"), body


def input_name(port, model):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/v2/models/%s" % model)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit("GET /v2/models/%s: HTTP %d %s" % (model, response.status, body[:300]))
    return json.loads(body)["inputs"][0]["name"]


def worker(args, body, threads, ready, go, times, queue):
    """One process: `threads` connections, each a closed loop of requests until the window closes.

    It says it is ready, then waits for `go`, when the parent has set `times` (start, measure, stop): a
    process that starts slowly on a busy machine must not eat into the measured window."""
    import threading
    header, data = body
    path = "/v2/models/%s/infer" % args.model
    results = []
    lock = threading.Lock()
    ready.put(True)
    go.wait()
    start_at, measure_at, stop_at = times[0], times[1], times[2]

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        latencies, errors, first_error = [], 0, None
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            begun = time.perf_counter()
            try:
                status, _, body = post(conn, path, header, data)
            except (OSError, http.client.HTTPException) as ex:
                status, body = 0, str(ex).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            elapsed = time.perf_counter() - begun
            done = time.time()
            if measure_at <= done <= stop_at:  # requests that completed inside the measured window
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1
                    first_error = first_error or "HTTP %d %s" % (status, body[:200])
        conn.close()
        with lock:
            results.append((latencies, errors, first_error))

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    latencies, errors, first_error = [], 0, None
    for lat, err, first in results:
        latencies.extend(lat)
        errors += err
        first_error = first_error or first
    queue.put((latencies, errors, first_error))


def bench(args):
    body = request_body(input_name(args.port, args.model), args.shape, args.seed)
    processes = max(1, min(args.concurrency, args.processes))
    split = [args.concurrency // processes + (1 if i < args.concurrency % processes else 0) for i in range(processes)]
    queue, ready, go = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    times = multiprocessing.Array("d", 3)
    procs = [multiprocessing.Process(target=worker, args=(args, body, n, ready, go, times, queue)) for n in split]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    times[0] = time.time() + 0.2
    times[1] = times[0] + args.warmup
    times[2] = times[1] + args.duration
    go.set()
    latencies, errors, first_error = [], 0, None
    for _ in procs:
        lat, err, first = queue.get()
        latencies.extend(lat)
        errors += err
        first_error = first_error or first
    for p in procs:
        p.join()
    latencies.sort()

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3) if latencies else None

    rps = len(latencies) / args.duration
    print(json.dumps({
        "model": args.model, "port": args.port, "shape": args.shape, "concurrency": args.concurrency,
        "seconds": args.duration, "requests": len(latencies), "rps": round(rps, 1),
        "rows_per_s": round(rps * args.shape[0], 1), "p50_ms": pct(0.50), "p99_ms": pct(0.99),
        "errors": errors, "first_error": first_error,
    }), flush=True)
    return 1 if errors or not latencies else 0


def outputs(status, header_length, body):
    """The binary outputs of a response: {name: list of floats}."""
    if status != 200 or header_length is None:
        sys.exit("inference failed: HTTP %d %s" % (status, body[:300]))
    length = int(header_length)
    header = json.loads(body[:length])
    result, offset = {}, length
    for output in header["outputs"]:
        size = output["parameters"]["binary_data_size"]
        raw = body[offset:offset + size]
        offset += size
        result[output["name"]] = struct.unpack("<%df" % (size // 4), raw)
    return result


def compare(args):
    name = input_name(args.port, args.model)
    header, data = request_body(name, args.shape, args.seed)
    path = "/v2/models/%s/infer" % args.model
    answers = []
    for port in (args.port, args.other_port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        answers.append(outputs(*post(conn, path, header, data)))
        conn.close()
    worst_abs, worst_rel = 0.0, 0.0
    for output, values in answers[1].items():
        mine = answers[0][output]
        scale = max(1.0, max(abs(v) for v in values))
        diff = max(abs(a - b) for a, b in zip(mine, values))
        worst_abs = max(worst_abs, diff)
        worst_rel = max(worst_rel, diff / scale)
    ok = worst_rel <= args.tolerance
    print(json.dumps({
        "model": args.model, "shape": args.shape, "max_abs_diff": worst_abs,
        "max_rel_diff": worst_rel, "tolerance": args.tolerance, "equal": ok,
        "values": sum(len(v) for v in answers[1].values()),
    }), flush=True)
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["bench", "compare"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--other-port", type=int)
    parser.add_argument("--model", required=True)
    parser.add_argument("--shape", required=True, type=lambda s: [int(x) for x in s.split(",")],
                        help="input shape, rows first, e.g. 1,3,224,224")
    parser.add_argument("-c", "--concurrency", type=int, default=1)
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--processes", type=int, default=8, help="client processes (at most one per connection)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    if args.mode == "compare" and args.other_port is None:
        parser.error("compare needs --other-port")
    sys.exit(bench(args) if args.mode == "bench" else compare(args))


if __name__ == "__main__":
    main()
