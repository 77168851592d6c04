"""Load test of ``conduct-rules serve`` on 127.0.0.1: latency, throughput, and every answer checked.

Why check every answer: a fast service that answers wrongly under concurrency is worth nothing.
Each response body is compared byte for byte with ``assess(case, lang=...).model_dump_json()``
computed in this process before the run; the script exits 1 on any mismatch or error status.

For each worker count (``--workers 1 2``) a server is started on a free loopback port, warmed up,
then ``--clients`` threads each send ``POST /v1/assess`` requests back to back (one keep-alive
connection per client) for ``--seconds`` seconds; the run is bounded in time whatever happens.
Reported per worker count: requests, errors, mismatches, throughput (requests per wall second),
latency p50 / p99 (ms, wall clock: what a caller waits), and the CPU seconds the server
processes used (from ``/proc``), so that a run on a shared machine can be read per CPU second.

Run: ``python benchmarks/service_load.py`` (about 40 s); ``--quick`` for a smoke run;
``--json`` ends with one JSON line holding every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from conduct_rules import assess
from conduct_rules.audit.sample import sample_cases

ROOT = Path(__file__).resolve().parents[1]
#: Clock ticks per second, for the CPU times read from ``/proc``.
_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its live children, from ``/proc``."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def _corpus(n: int) -> list[tuple[bytes, str]]:
    """(request body, expected answer) pairs: the scenario examples and seeded sample cases."""
    cases: list[dict[str, Any]] = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(ROOT.glob("examples/scenario-*/*.json"))
    ]
    cases += list(sample_cases(n, seed=16))
    out = []
    for i, case in enumerate(cases):
        lang = "fr" if i % 2 else "en"
        body = json.dumps({"case": case, "lang": lang}).encode()
        out.append((body, assess(case, lang=lang).model_dump_json()))  # type: ignore[arg-type]
    return out


def _start(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, "-c", "from conduct_rules.cli.main import main; main()", "serve"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def _client(
    url: str,
    corpus: list[tuple[bytes, str]],
    offset: int,
    stop_at: float,
    out: dict[str, Any],
) -> None:
    latencies: list[float] = []
    errors = mismatches = 0
    i = offset
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < stop_at:
            body, expected = corpus[i % len(corpus)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = client.post("/v1/assess", content=body, headers=headers)
            except httpx.TransportError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors += 1
            elif r.text != expected:
                mismatches += 1
    out.update(latencies=latencies, errors=errors, mismatches=mismatches)


def _run(
    workers: int, clients: int, seconds: float, corpus: list[tuple[bytes, str]]
) -> dict[str, Any]:
    proc, url = _start(workers)
    try:
        warm_until = time.monotonic() + min(3.0, seconds / 3)
        warm: list[dict[str, Any]] = [{} for _ in range(clients)]
        threads = [
            threading.Thread(target=_client, args=(url, corpus, k * 7, warm_until, warm[k]))
            for k in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results: list[dict[str, Any]] = [{} for _ in range(clients)]
        cpu0 = _tree_cpu(proc.pid)
        start = time.monotonic()
        stop_at = start + seconds
        threads = [
            threading.Thread(target=_client, args=(url, corpus, k * 13, stop_at, results[k]))
            for k in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 60)
        wall = time.monotonic() - start
        server_cpu = _tree_cpu(proc.pid) - cpu0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = sorted(x for r in results for x in r.get("latencies", []))
    n = len(lat)
    return {
        "workers": workers,
        "clients": clients,
        "seconds": round(wall, 2),
        "requests": n,
        "errors": sum(r.get("errors", 0) for r in results),
        "mismatches": sum(r.get("mismatches", 0) for r in results),
        "throughput_rps": round(n / wall, 1),
        "p50_ms": round(1000 * statistics.median(lat), 2) if lat else None,
        "p99_ms": round(1000 * lat[min(n - 1, int(0.99 * n))], 2) if lat else None,
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_ms_per_request": round(1000 * server_cpu / n, 3) if n else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--cases", type=int, default=200, help="sample cases besides the examples")
    parser.add_argument("--quick", action="store_true", help="2 s per worker count, 2 clients")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.clients, args.cases = 2.0, 2, 20
    corpus = _corpus(args.cases)
    load = os.getloadavg()[0]
    rows = [_run(w, args.clients, args.seconds, corpus) for w in args.workers]
    print(f"load average at start: {load:.2f}; cores: {os.cpu_count()}")
    head = "workers clients requests errors mismatches req/s p50_ms p99_ms server_cpu_ms/req"
    print(head)
    for r in rows:
        print(
            f"{r['workers']:>7} {r['clients']:>7} {r['requests']:>8} {r['errors']:>6} "
            f"{r['mismatches']:>10} {r['throughput_rps']:>5} {r['p50_ms']:>6} {r['p99_ms']:>6} "
            f"{r['server_cpu_ms_per_request']:>17}"
        )
    if args.json:
        print(json.dumps({"load_average": load, "runs": rows}))
    bad = any(r["errors"] or r["mismatches"] or not r["requests"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
