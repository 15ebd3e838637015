"""Start the course's JupyterLab server for end-to-end tests, isolated from the user's Jupyter state.

Used by test_jupyter_server.py (REST API + kernel) and test_browser.py (JupyterLab in headless Chromium).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port that nobody listened on a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server: its base URL, token and log file."""

    url: str
    token: str
    log: Path

    def api(self, path: str, method: str = "GET", body: dict | None = None) -> object:
        """Call the server's REST API; returns the decoded JSON reply (None when empty)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _jupyter_command() -> list[str]:
    """`.venv/bin/jupyter` as `make lab` runs it (the test's own environment), else `python -m jupyter`."""
    script = Path(sys.executable).parent / "jupyter"
    return [str(script)] if script.exists() else [sys.executable, "-m", "jupyter"]


def isolated_env(state_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment with every Jupyter/IPython user folder moved into ``state_dir``."""
    dirs = {
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
    }
    env = {**os.environ, **{var: str(state_dir / sub) for var, sub in dirs.items()}}
    for sub in dirs.values():
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    env.update(extra or {})
    return env


@contextmanager
def jupyter_lab(root_dir: Path, state_dir: Path, env: Mapping[str, str] | None = None,
                start_timeout: float = 120) -> Iterator[LabServer]:
    """Run `jupyter lab` on ``root_dir`` like `make lab`, on a free loopback port with a random token.

    ``state_dir`` holds the server's log and its private Jupyter folders (see ``isolated_env``);
    ``env`` replaces the environment (default: ``isolated_env(state_dir)``). Shuts the server down on exit.
    """
    env = dict(env) if env is not None else isolated_env(state_dir)
    token = uuid.uuid4().hex
    for attempt in range(3):  # another xdist worker may grab the free port before the server binds it
        port = free_port()
        cmd = [*_jupyter_command(), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.root_dir={root_dir}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root; `make lab` does this
            cmd.append("--allow-root")
        log = state_dir / f"server-{attempt}.log"
        with log.open("wb") as log_file:
            proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env)
        server = LabServer(f"http://127.0.0.1:{port}", token, log)
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                server.api("/api/status")
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    if "already in use" in server.log_tail() and attempt < 2:
                        break
                    raise RuntimeError(f"JupyterLab did not start ({' '.join(cmd)}):\n{server.log_tail()}") from e
                time.sleep(0.3)
        if proc.poll() is None:
            break
    try:
        yield server
    finally:
        try:
            server.api("/api/shutdown", "POST")
        except OSError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
