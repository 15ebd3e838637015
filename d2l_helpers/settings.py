"""Run settings read from the environment: the data cache and smoke mode.

Everything is read at call time, so setting ``D2L_DATA_DIR`` or ``D2L_SMOKE``
before a call is enough; importing the package changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

SMOKE_MAX_EPOCHS = 2
SMOKE_MAX_BATCHES = 20
SMOKE_MAX_SECONDS = 2.0


def data_dir() -> Path:
    """Return the data cache: ``$D2L_DATA_DIR``, else ``~/.cache/d2l-course`` (``$XDG_CACHE_HOME`` respected)."""
    configured = os.environ.get("D2L_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache_home).expanduser() if cache_home else Path.home() / ".cache"
    return base / "d2l-course"


def smoke_mode() -> bool:
    """True when ``D2L_SMOKE`` is set to 1/true/yes: helpers then cap epochs and batches for fast CI runs."""
    return os.environ.get("D2L_SMOKE", "").strip().lower() in {"1", "true", "yes", "on"}


def cap_epochs(num_epochs: int) -> int:
    """Return ``num_epochs``, or at most ``SMOKE_MAX_EPOCHS`` in smoke mode."""
    return min(num_epochs, SMOKE_MAX_EPOCHS) if smoke_mode() else num_epochs


def cap_batches() -> int | None:
    """Return the per-epoch batch cap of the course's large datasets: ``SMOKE_MAX_BATCHES`` in smoke mode, else None."""
    return SMOKE_MAX_BATCHES if smoke_mode() else None


def cap_seconds(seconds: float) -> float:
    """Return a training time budget in seconds, or at most ``SMOKE_MAX_SECONDS`` in smoke mode; 10_08."""
    return min(seconds, SMOKE_MAX_SECONDS) if smoke_mode() else seconds
