import pytest
import torch

import d2l_helpers as d2l
from d2l_helpers import device as device_mod


def test_cpu_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(device_mod, "_mps_available", lambda: False)
    assert d2l.try_gpu() == torch.device("cpu")
    assert d2l.try_gpu(3) == torch.device("cpu")
    assert d2l.try_all_gpus() == [torch.device("cpu")]


def test_cuda_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(device_mod, "_mps_available", lambda: True)
    assert d2l.try_gpu(1) == torch.device("cuda:1")
    assert d2l.try_gpu(2) == torch.device("cpu")  # no third GPU, and MPS has only one device
    assert d2l.try_all_gpus() == [torch.device("cuda:0"), torch.device("cuda:1")]


def test_mps_before_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(device_mod, "_mps_available", lambda: True)
    assert d2l.try_gpu() == torch.device("mps")
    assert d2l.try_all_gpus() == [torch.device("mps")]


def test_negative_index() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        d2l.try_gpu(-1)


def test_real_machine_gives_a_usable_device() -> None:
    dev = d2l.try_gpu()
    assert torch.ones(2, device=dev).sum().item() == 2.0
