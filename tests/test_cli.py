"""`make data` runs `python -m d2l_helpers`: it fetches and verifies every course dataset."""

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import unreachable_url


def test_prefetch_verifies_the_configured_cache() -> None:
    out = subprocess.run([sys.executable, "-m", "d2l_helpers"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("  ok  ") == 8  # four Fashion-MNIST files + four DATA_HUB entries


def test_prefetch_reports_failures_with_exit_status(monkeypatch: pytest.MonkeyPatch, empty_cache: Path) -> None:
    from d2l_helpers import __main__ as cli
    from d2l_helpers import downloads as dl
    from d2l_helpers import fashion_mnist as fm

    monkeypatch.setattr(fm, "_MIRRORS", (unreachable_url(),))
    monkeypatch.setattr(fm, "_DEBIAN_DIR", empty_cache / "none")
    for name, (url, sha1) in list(dl.DATA_HUB.items()):
        monkeypatch.setitem(dl.DATA_HUB, name, (unreachable_url() + url.rsplit("/", 1)[-1], sha1))
    assert cli.main() == 1
