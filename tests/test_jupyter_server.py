"""End to end: the course's Jupyter server lists the notebooks and runs a kernel that imports d2l_helpers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

websocket = pytest.importorskip("websocket", reason="websocket-client comes with jupyter_server")

REPO = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, method: str = "GET", body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={REPO / 'notebooks'}", f"--IdentityProvider.token={TOKEN}",
           "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        cmd.append("--allow-root")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    log = tmp_path / "server.log"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _api(base, "/api/status")
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Jupyter server did not start: " + log.read_text()[-2000:]) from e
                time.sleep(0.5)
        yield base
    finally:
        try:
            _api(base, "/api/shutdown", "POST")
        except OSError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _execute(base: str, kernel_id: str, code: str) -> tuple[str, str]:
    ws = websocket.create_connection(f"{base.replace('http', 'ws')}/api/kernels/{kernel_id}/channels",
                                     header=[f"Authorization: token {TOKEN}"], timeout=120)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    stdout, status = "", ""
    try:
        while not status:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                stdout += msg["content"]["text"]
            elif msg["msg_type"] == "error":
                stdout += "\n".join(msg["content"]["traceback"])
            elif msg["msg_type"] == "execute_reply":
                status = msg["content"]["status"]
    finally:
        ws.close()
    return status, stdout


def test_server_lists_course_and_runs_helpers(server: str) -> None:
    listing = _api(server, "/api/contents/")
    chapters = sorted(item["name"] for item in listing["content"] if item["type"] == "directory")  # type: ignore[index]
    assert "02_preliminaries" in chapters and "03_linear_networks" in chapters
    notebooks = _api(server, "/api/contents/03_linear_networks")["content"]  # type: ignore[index]
    assert any(nb["name"].endswith(".ipynb") for nb in notebooks)

    kernel = _api(server, "/api/kernels", "POST", {"name": "python3"})
    status, out = _execute(server, kernel["id"], "import d2l_helpers as d2l, sys\n"  # type: ignore[index]
                           "print(d2l.__file__); print(sys.executable)")
    assert status == "ok", out
    module_file, kernel_python = out.split()
    assert Path(module_file).resolve().is_relative_to(REPO)  # the repository's code, not an installed copy
    assert Path(kernel_python).resolve().parent == Path(sys.executable).resolve().parent  # the course venv

    _api(server, f"/api/kernels/{kernel['id']}", "DELETE")  # type: ignore[index]
    assert _api(server, "/api/kernels") == []
