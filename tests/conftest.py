"""Shared fixtures: a headless plot backend, an empty data cache, and a loopback HTTP server for downloads."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from d2l_helpers.settings import data_dir  # noqa: E402

CONFIGURED_DATA = data_dir()  # the course data cache the tests were started with (CI: a copy of the offline data)


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data cache that D2L_DATA_DIR points to."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("D2L_DATA_DIR", str(cache))
    return cache


@pytest.fixture
def offline_data() -> Path:
    """The course data cache the test run was started with; skips if it lacks the offline datasets."""
    if not (CONFIGURED_DATA / "fra-eng" / "fra.txt").is_file():
        pytest.skip(f"needs the course data cache with fra-eng/fra.txt at {CONFIGURED_DATA} (CI copies ../shared/data)")
    return CONFIGURED_DATA


@pytest.fixture
def no_smoke(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test in full mode whatever the caller's D2L_SMOKE says."""
    monkeypatch.delenv("D2L_SMOKE", raising=False)


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(folder, base URL) of a static HTTP server on 127.0.0.1 that serves the folder."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def unreachable_url() -> str:
    """A loopback URL on a port nobody listens on: connecting fails at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
