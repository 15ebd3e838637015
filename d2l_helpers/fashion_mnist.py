"""Fashion-MNIST read once into uint8 tensors, served as float minibatches (introduced in 03_05).

The files are torchvision's ``FashionMNIST`` files in the same layout (``<cache>/FashionMNIST/raw/*.gz``),
checked against torchvision's MD5 sums. Batches are sliced from in-memory tensors and converted to
float (and resized) a whole batch at a time, which is far faster than decoding one PIL image at a time.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch.nn import functional as F

from .data import Batch, TensorLoader, check_batch_size
from .downloads import fetch
from .settings import cap_batches, data_dir

TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot")

_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/fashion-mnist/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian/Ubuntu package dataset-fashion-mnist
# file -> (md5 of the .gz as torchvision lists it, sha256 of the decompressed IDX bytes)
FILES = {
    "train-images-idx3-ubyte.gz": ("8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                                   "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "train-labels-idx1-ubyte.gz": ("25c81989df183df01b3e8a0aad5dffbe",
                                   "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "t10k-images-idx3-ubyte.gz": ("bef4ecab320f06d8554ea6380940ec79",
                                  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    "t10k-labels-idx1-ubyte.gz": ("bb300cfdad3c16e7a12a480ee83cd310",
                                  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}
_HINTS = (f"on Debian/Ubuntu, `sudo apt install dataset-fashion-mnist`: its files in {_DEBIAN_DIR} are "
          "picked up automatically.",)


def fashion_mnist_file(fname: str, root: Path | None = None) -> Path:
    """Path of one verified Fashion-MNIST file in the cache, fetched first if missing (mirrors, then Debian's copy)."""
    md5, content_sha256 = FILES[fname]
    path = (root or data_dir()) / "FashionMNIST" / "raw" / fname
    sources = [str(_DEBIAN_DIR / fname), *(m + fname for m in _MIRRORS)]
    return fetch(path, sources, md5, "md5", "Fashion-MNIST", _HINTS, gunzip_sha256=content_sha256)


def _read_idx(path: Path, magic: int, ndim: int) -> torch.Tensor:
    raw = gzip.decompress(path.read_bytes())
    header = 4 * (1 + ndim)
    fields = [int.from_bytes(raw[i:i + 4], "big") for i in range(0, header, 4)]
    if fields[0] != magic:
        raise ValueError(f"{path.name} is not an IDX file with magic number {magic} (found {fields[0]})")
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(fields[1:])


def read_fashion_mnist(train: bool = True, root: Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (images uint8 (N, 28, 28), labels int64 (N,)) of the training or test split; 03_05."""
    prefix = "train" if train else "t10k"
    images = _read_idx(fashion_mnist_file(f"{prefix}-images-idx3-ubyte.gz", root), 2051, 3)
    labels = _read_idx(fashion_mnist_file(f"{prefix}-labels-idx1-ubyte.gz", root), 2049, 1).long()
    return images, labels


def get_fashion_mnist_labels(labels: Iterable[int] | torch.Tensor) -> list[str]:
    """Text names of Fashion-MNIST class indices 0-9; introduced in 03_05_image_classification_dataset."""
    names = []
    for i in labels:
        i = int(i)
        if not 0 <= i < len(TEXT_LABELS):
            raise ValueError(f"Fashion-MNIST labels are 0-9, got {i}")
        names.append(TEXT_LABELS[i])
    return names


def _to_float_images(resize: tuple[int, int] | None) -> Callable[[Batch], Batch]:
    def transform(batch: Batch) -> Batch:
        X, y = batch
        X = X.unsqueeze(1).float().div_(255)  # (batch, 1, 28, 28) in [0, 1]
        if resize is not None:
            X = F.interpolate(X, size=resize, mode="bilinear", align_corners=False, antialias=True)
        return X, y

    return transform


def load_data_fashion_mnist(
    batch_size: int, resize: int | tuple[int, int] | None = None
) -> tuple[TensorLoader, TensorLoader]:
    """Fashion-MNIST as (train_iter, test_iter) of float32 (B, 1, H, W) images in [0, 1] and int64 labels; 03_05.

    ``resize`` (an int or (height, width)) resizes each batch. In smoke mode each pass stops after a few batches.
    """
    check_batch_size(batch_size)
    size = None
    if resize is not None:
        size = (resize, resize) if isinstance(resize, int) else tuple(resize)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"resize must be a positive int or (height, width), got {resize!r}")
    transform = _to_float_images(size)  # type: ignore[arg-type]
    max_batches = cap_batches()
    train = TensorLoader(read_fashion_mnist(True), batch_size, True, transform, max_batches)
    test = TensorLoader(read_fashion_mnist(False), batch_size, False, transform, max_batches)
    return train, test
