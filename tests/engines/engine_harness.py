"""Helpers for the engine tests: where the vLLM harness is, skip-or-fail when it is missing, a free
port, stopping a server's process group, and a stub OpenAI-compatible server (stdlib http.server
on 127.0.0.1) for fault injection around the HTTP client."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_VLLM = ROOT / ".venv-vllm"
VLLM_PY = VENV_VLLM / "bin" / "python"
MODEL_DIR = Path(os.environ.get("HACHIMI_SMOLLM2_HF_PATH") or VENV_VLLM / "models" / "smollm2-135m-instruct")
SERVED_NAME = "smollm2-135m-instruct"
SERVER_READY_S = 300


def missing_harness() -> str | None:
    if not VLLM_PY.is_file():
        return f"{VENV_VLLM} is absent: run `make test-engines` (or scripts/engines/setup_vllm.sh)"
    if not (MODEL_DIR / "config.json").is_file():
        return (
            f"no converted model at {MODEL_DIR}: run `.venv/bin/python scripts/engines/convert_smollm2.py`"
            " (or set HACHIMI_SMOLLM2_HF_PATH)"
        )
    return None


def need_harness() -> None:
    """Skip when the vLLM harness is not built; under CI=true that is a failure, not a skip."""
    why = missing_harness()
    if why:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"engine tier under CI: {why}")
        pytest.skip(why)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """Stop the server we started and its engine processes (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# -- a stub OpenAI-compatible server for fault injection (stdlib, 127.0.0.1 only) ---------------------


def completion(
    content: str = '{"ok": true}', finish: str = "stop", prompt: int = 7, completion_tokens: int = 5
) -> dict:
    return {
        "id": "stub",
        "object": "chat.completion",
        "model": "stub",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens,
        },
    }


class Stub:
    """`answer(n, body) -> (status, dict, headers)` decides each reply (n counts requests from 1).
    Records the bodies, and the most requests it ever had in flight at once."""

    def __init__(self, answer, delay_s: float = 0.0):
        self.answer, self.delay_s = answer, delay_s
        self.lock = threading.Lock()
        self.count = self.in_flight = self.max_in_flight = 0
        self.bodies: list[dict] = []
        self.in_flight_log: list[int] = []  # in-flight count seen by each request on arrival


@contextmanager
def stub_server(answer, delay_s: float = 0.0):
    stub = Stub(answer, delay_s)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _reply(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._reply(200, {"object": "list", "data": [{"id": "stub-model", "object": "model"}]})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            with stub.lock:
                stub.count += 1
                n = stub.count
                stub.in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                stub.in_flight_log.append(stub.in_flight)
                stub.bodies.append(body)
            try:
                if stub.delay_s:
                    time.sleep(stub.delay_s)
                status, payload, headers = stub.answer(n, body)
            finally:
                with stub.lock:
                    stub.in_flight -= 1
            self._reply(status, payload, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def vllm(log_dir: Path):
    """A real vLLM OpenAI-compatible server on 127.0.0.1 (free port), stopped on exit; yields
    {base_url, model, log, start_s, proc}."""
    need_harness()
    port = free_port()
    log = log_dir / f"server-{port}.log"
    t0 = time.monotonic()
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [str(ROOT / "scripts/engines/serve_vllm.sh"), str(MODEL_DIR), str(port)],
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the vLLM server exited with {proc.returncode}; its log:\n{log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(base + "/models", timeout=2) as r:
                    if r.status == 200 and SERVED_NAME in r.read().decode():
                        break
            except OSError:
                pass
            if time.monotonic() - t0 > SERVER_READY_S:
                pytest.fail(
                    f"the vLLM server was not ready after {SERVER_READY_S} s; its log:\n{log.read_text()[-4000:]}"
                )
            time.sleep(1)
        yield {"base_url": base, "model": SERVED_NAME, "log": log, "start_s": time.monotonic() - t0, "proc": proc}
    finally:
        stop_group(proc)


@pytest.fixture(scope="session")
def vllm_server(tmp_path_factory):
    """A real vLLM OpenAI-compatible server on 127.0.0.1 (free port); yields {base_url, model, log, start_s}."""
    with vllm(tmp_path_factory.mktemp("vllm-server")) as server:
        yield server
