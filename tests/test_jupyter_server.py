"""End to end: the course's Jupyter server lists the notebooks and runs a kernel that imports d2l_helpers."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._jupyter import REPO, LabServer, jupyter_lab

websocket = pytest.importorskip("websocket", reason="websocket-client comes with jupyter_server")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LabServer]:
    with jupyter_lab(REPO / "notebooks", tmp_path) as lab:
        yield lab


def _execute(server: LabServer, kernel_id: str, code: str) -> tuple[str, str]:
    ws = websocket.create_connection(f"{server.url.replace('http', 'ws')}/api/kernels/{kernel_id}/channels",
                                     header=[f"Authorization: token {server.token}"], timeout=120)
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


def test_server_lists_course_and_runs_helpers(server: LabServer) -> None:
    listing = server.api("/api/contents/")
    chapters = sorted(item["name"] for item in listing["content"] if item["type"] == "directory")  # type: ignore[index]
    assert "02_preliminaries" in chapters and "03_linear_networks" in chapters
    notebooks = server.api("/api/contents/03_linear_networks")["content"]  # type: ignore[index]
    assert any(nb["name"].endswith(".ipynb") for nb in notebooks)

    kernel = server.api("/api/kernels", "POST", {"name": "python3"})
    status, out = _execute(server, kernel["id"], "import d2l_helpers as d2l, sys\n"  # type: ignore[index]
                           "print(d2l.__file__); print(sys.executable)")
    assert status == "ok", out
    module_file, kernel_python = out.split()
    assert Path(module_file).resolve().is_relative_to(REPO)  # the repository's code, not an installed copy
    assert Path(kernel_python).resolve().parent == Path(sys.executable).resolve().parent  # the course venv

    server.api(f"/api/kernels/{kernel['id']}", "DELETE")  # type: ignore[index]
    assert server.api("/api/kernels") == []
