"""Time one epoch of Fashion-MNIST (60,000 training images, batch 256): d2l_helpers vs the book's loader.

The book's loader is a torchvision DataLoader over FashionMNIST(transform=ToTensor()) with 4 workers,
which decodes one PIL image at a time. d2l_helpers slices batches from tensors held in memory.
Both read the same verified files from the data cache. Usage:

    .venv/bin/python benchmarks/fashion_mnist_loading.py [--repeats 3] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable, Iterable

import torch
import torchvision
from torch.utils.data import DataLoader

import d2l_helpers as d2l

BATCH_SIZE = 256


def one_epoch(make_iter: Callable[[], Iterable]) -> tuple[float, int]:
    """Seconds for one full pass and the number of images seen."""
    start = time.perf_counter()
    n = 0
    for X, _ in make_iter():
        n += X.shape[0]
    return time.perf_counter() - start, n


def best_of(repeats: int, make_iter: Callable[[], Iterable]) -> tuple[float, int]:
    runs = [one_epoch(make_iter) for _ in range(repeats)]
    return min(t for t, _ in runs), runs[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per loader; the best is reported")
    parser.add_argument("--workers", type=int, default=4, help="DataLoader workers for the book's loader")
    args = parser.parse_args()
    os.environ.pop("D2L_SMOKE", None)  # always the full epoch
    # The book's 4 workers exceed a 2-core machine's suggestion; that is the reference we measure against.
    warnings.filterwarnings("ignore", message="This DataLoader will create")

    t0 = time.perf_counter()
    train_iter, _ = d2l.load_data_fashion_mnist(BATCH_SIZE)  # verifies checksums, reads into memory
    setup_ours = time.perf_counter() - t0
    ours, n_ours = best_of(args.repeats, lambda: train_iter)

    t0 = time.perf_counter()
    dataset = torchvision.datasets.FashionMNIST(root=str(d2l.data_dir()), train=True, download=True,
                                                transform=torchvision.transforms.ToTensor())
    setup_book = time.perf_counter() - t0
    book, n_book = best_of(args.repeats, lambda: DataLoader(dataset, BATCH_SIZE, shuffle=True,
                                                            num_workers=args.workers))
    assert n_ours == n_book == 60000, (n_ours, n_book)

    print(f"machine: {os.cpu_count()} CPU cores, torch {torch.__version__}, torchvision {torchvision.__version__}")
    print(f"one epoch, {n_ours} images, batch {BATCH_SIZE}, best of {args.repeats}:")
    print(f"  d2l_helpers.load_data_fashion_mnist : {ours:8.3f} s   (setup {setup_ours:.2f} s, once)")
    print(f"  torchvision DataLoader, {args.workers} workers   : {book:8.3f} s   (setup {setup_book:.2f} s, once)")
    print(f"  ratio (book / d2l_helpers)          : {book / ours:8.1f}x per epoch, "
          f"{(book + setup_book) / (ours + setup_ours):.1f}x including setup for one epoch")


if __name__ == "__main__":
    main()
