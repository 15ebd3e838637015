import gzip
import shutil
from pathlib import Path

import pytest
import torch

import d2l_helpers as d2l
from d2l_helpers import fashion_mnist as fm
from d2l_helpers.settings import SMOKE_MAX_BATCHES

from .conftest import unreachable_url


@pytest.fixture(scope="module")
def splits() -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    return d2l.read_fashion_mnist(True), d2l.read_fashion_mnist(False)


def test_raw_splits(splits) -> None:
    (X, y), (Xt, yt) = splits
    assert X.shape == (60000, 28, 28) and X.dtype == torch.uint8
    assert Xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    assert y.dtype == torch.int64 and torch.bincount(y).tolist() == [6000] * 10


def test_loader_batches(no_smoke) -> None:
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0.0 <= float(X.min()) and float(X.max()) <= 1.0
    assert len(train_iter) == 235 and len(test_iter) == 40
    assert sum(len(b[1]) for b in test_iter) == 10000


def test_loader_values_match_torchvision_to_tensor(no_smoke, splits) -> None:
    (X, _), _ = splits
    _, test_iter = d2l.load_data_fashion_mnist(10)
    Xb, _ = next(iter(test_iter))
    expected = splits[1][0][:10].float().unsqueeze(1) / 255  # what ToTensor() gives for uint8 images
    assert torch.allclose(Xb, expected)


def test_resize(no_smoke) -> None:
    train_iter, _ = d2l.load_data_fashion_mnist(8, resize=64)
    assert next(iter(train_iter))[0].shape == (8, 1, 64, 64)
    train_iter, _ = d2l.load_data_fashion_mnist(8, resize=(32, 16))
    assert next(iter(train_iter))[0].shape == (8, 1, 32, 16)
    with pytest.raises(ValueError, match="resize must be a positive int"):
        d2l.load_data_fashion_mnist(8, resize=0)


def test_smoke_mode_caps_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SMOKE", "1")
    train_iter, test_iter = d2l.load_data_fashion_mnist(32)
    assert len(list(train_iter)) == SMOKE_MAX_BATCHES == len(test_iter)


def test_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        d2l.load_data_fashion_mnist(-1)


def test_labels() -> None:
    assert d2l.get_fashion_mnist_labels(torch.tensor([0, 9, 5])) == ["t-shirt", "ankle boot", "sandal"]
    with pytest.raises(ValueError, match="labels are 0-9, got 10"):
        d2l.get_fashion_mnist_labels([10])


def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fm, "_MIRRORS", (unreachable_url(),))
    monkeypatch.setattr(fm, "_DEBIAN_DIR", tmp_path / "no-debian-package")


def _copy_raw(cache: Path) -> Path:
    raw = cache / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in fm.FILES:
        shutil.copy(fm.fashion_mnist_file(f), raw / f)  # from the configured cache
    return raw


def test_missing_dataset_offline_says_how_to_fix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "empty"))
    _offline(monkeypatch, tmp_path)
    with pytest.raises(d2l.DataNotFoundError) as info:
        d2l.load_data_fashion_mnist(256)
    message = str(info.value)
    for part in ("Fashion-MNIST", str(tmp_path / "empty" / "FashionMNIST" / "raw"), "make data", "D2L_DATA_DIR",
                 "dataset-fashion-mnist"):
        assert part in message


def _flip_middle(data: bytes) -> bytes:
    out = bytearray(data)
    out[len(out) // 2] ^= 0xFF  # inside the deflate stream: gzip itself fails with a zlib error
    return bytes(out)


@pytest.mark.parametrize("fname", ["t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"])
@pytest.mark.parametrize("corrupt", [
    pytest.param(_flip_middle, id="byte-flipped-in-the-middle"),
    pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
    pytest.param(lambda d: bytes(len(d)), id="zeros"),
    pytest.param(lambda d: d[:-20] + bytes([d[-20] ^ 0xFF]) + d[-19:], id="byte-flipped-near-the-end"),
])
def test_corrupt_file_is_detected_and_never_loaded(monkeypatch, tmp_path: Path, fname: str, corrupt) -> None:
    raw = _copy_raw(tmp_path / "cache")
    (raw / fname).write_bytes(corrupt((raw / fname).read_bytes()))
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "cache"))
    _offline(monkeypatch, tmp_path)
    with pytest.raises(d2l.ChecksumError, match=rf"{fname} of dataset 'Fashion-MNIST' is corrupt.*Delete the file"):
        d2l.load_data_fashion_mnist(256)


def test_debian_copy_is_used_when_recompressed(monkeypatch, tmp_path: Path) -> None:
    """Debian's dataset-fashion-mnist has the same images gzipped with other headers: accepted by content."""
    debian = tmp_path / "debian"
    debian.mkdir()
    for f in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        content = gzip.decompress(fm.fashion_mnist_file(f).read_bytes())
        (debian / f).write_bytes(gzip.compress(content, compresslevel=1, mtime=12345))
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fm, "_MIRRORS", (unreachable_url(),))
    monkeypatch.setattr(fm, "_DEBIAN_DIR", debian)
    X, y = d2l.read_fashion_mnist(False)
    assert X.shape == (10000, 28, 28)
    assert (tmp_path / "cache" / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte.gz").exists()
