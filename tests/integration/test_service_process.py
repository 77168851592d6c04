"""The service as a real process: uvicorn on 127.0.0.1, graceful SIGTERM, clean logs.

A server is started with ``conduct-rules serve`` on a free loopback port. A large batch is sent
and its first row read; then the server gets SIGTERM while the answer is still being produced.
Every row must still arrive, the server must finish by itself (uvicorn then re-raises the
signal, so the status is -SIGTERM), and its log (stderr)
must hold no value from any request.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from support.privacy import PLANTINGS, SENTINELS, VALID_VALUES, VALID_WITH_VALUES  # noqa: E402

ROWS = 10_000  # ten of the library's chunks: about nine are still to assess at SIGTERM
EXAMPLE = Path(__file__).parents[2] / "examples" / "scenario-1" / "1-before-notice.json"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A ``conduct-rules serve`` child process on a free loopback port."""

    def __init__(self, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-c",
            "from conduct_rules.cli.main import main; main()",
            "serve",
            "--port",
            str(self.port),
            *args,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early: {self.proc.stdout.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("server did not answer within 60 s")

    def stop(self) -> str:
        """Stop it (SIGTERM, then SIGKILL after 30 s) and return its log."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


def test_sigterm_lets_an_accepted_request_finish(server: Server) -> None:
    case: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body = "".join(json.dumps({**case, "case_id": f"c-{i}"}) + "\n" for i in range(ROWS))
    rows: list[str] = []
    with (
        httpx.Client(timeout=120) as client,
        client.stream(
            "POST",
            server.url + "/v1/assess/batch",
            content=body.encode(),
            headers={"content-type": "application/x-ndjson"},
        ) as response,
    ):
        assert response.status_code == 200
        lines = response.iter_lines()
        rows.append(next(lines))  # the request is accepted and being answered
        assert server.proc.poll() is None
        server.proc.send_signal(signal.SIGTERM)
        rows.extend(line for line in lines if line)
    assert len(rows) == ROWS
    assert [json.loads(r)["row"] for r in rows] == list(range(1, ROWS + 1))
    # uvicorn shuts down gracefully, then re-raises the signal so that the exit status says why.
    assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
    log = server.stop()
    assert "Waiting for" in log or "Shutting down" in log
    assert "Finished server process" in log
    with pytest.raises(httpx.TransportError):  # and it no longer listens
        httpx.get(server.url + "/healthz", timeout=2)


def test_the_server_log_holds_no_request_value(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for _, case in PLANTINGS[:60]:
            r = client.post("/v1/assess", json={"case": case})
            assert r.status_code == 422
        r = client.post("/v1/assess", json={"case": VALID_WITH_VALUES})
        assert r.status_code == 200
        r = client.post("/v1/assess/batch", json=[c for _, c in PLANTINGS[:60]])
        assert r.status_code == 200
    log = server.stop()
    assert "POST /v1/assess" in log  # the access log is there, and it is what was read
    for value in (*SENTINELS, *VALID_VALUES, "P-3"):
        assert value not in log, f"the server log holds a request value: {value}"


def test_the_load_script_checks_every_answer() -> None:
    """``benchmarks/service_load.py --quick``: runs, and found no error and no mismatch."""
    script = Path(__file__).parents[2] / "benchmarks" / "service_load.py"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--workers", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (run,) = json.loads(done.stdout.strip().splitlines()[-1])["runs"]
    assert run["requests"] > 0
    assert run["errors"] == run["mismatches"] == 0
