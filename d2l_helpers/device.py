"""Picking a compute device: CUDA, then Apple MPS, then the CPU (introduced in 05_06_use_gpu)."""

from __future__ import annotations

import torch


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def try_gpu(i: int = 0) -> torch.device:
    """Return ``cuda:i`` if it exists, else Apple's ``mps`` if available, else ``cpu``; introduced in 05_06_use_gpu."""
    if i < 0:
        raise ValueError(f"GPU index must be >= 0, got {i}")
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    if i == 0 and _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Return every CUDA device, else ``[mps]`` on Apple silicon, else ``[cpu]``; introduced in 05_06_use_gpu."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    if devices:
        return devices
    return [torch.device("mps")] if _mps_available() else [torch.device("cpu")]
