"""Train the book's LeNet for 2 epochs through d2l_helpers.train_ch6 and through d2l 0.17.6's train_ch6 and loader.

Same model, same seed, same settings (batch 256, lr 0.9), in one run; prints each wall time (loading, training
and evaluation), each final accuracy and the ratio. The book's package is installed into a temporary folder
with ``pip install --no-deps --target`` (or taken from ``--book-dir``); its loader reads the same verified
files from the data cache (torchvision's layout), as ``../data`` relative to a temporary working directory.

    .venv/bin/python benchmarks/lenet_train_ch6.py [--epochs 2] [--book-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
from torch import nn

import d2l_helpers as d2l

BATCH_SIZE, LR = 256, 0.9


def lenet() -> nn.Sequential:
    """The book's LeNet (6.6), sigmoid and average pooling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))


def install_book(target: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), "d2l==0.17.6"]
    subprocess.run(cmd, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--book-dir", type=Path, help="a folder where d2l 0.17.6 is already installed")
    args = parser.parse_args()
    os.environ.pop("D2L_SMOKE", None)  # full epochs
    warnings.filterwarnings("ignore", message="This DataLoader will create")  # the book's 4 workers on 2 cores

    with tempfile.TemporaryDirectory(prefix="d2l-bench-") as tmp:
        book_dir = args.book_dir or Path(tmp) / "site"
        if args.book_dir is None:
            install_book(book_dir)
        sys.path.insert(0, str(book_dir))
        from d2l import torch as book  # noqa: PLC0415 (the reference, imported from the temporary folder)

        torch.manual_seed(0)
        start = time.perf_counter()
        train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
        net = lenet()
        with contextlib.redirect_stdout(io.StringIO()):
            ours = d2l.train_ch6(net, train_iter, test_iter, args.epochs, LR, torch.device("cpu"))
        t_ours = time.perf_counter() - start

        # The book's loader reads root="../data": run it from a folder whose ../data is the course cache.
        work = Path(tmp) / "work"
        work.mkdir()
        (Path(tmp) / "data").symlink_to(d2l.data_dir(), target_is_directory=True)
        cwd = os.getcwd()
        os.chdir(work)
        try:
            torch.manual_seed(0)
            start = time.perf_counter()
            train_iter, test_iter = book.load_data_fashion_mnist(BATCH_SIZE)
            net = lenet()
            out = io.StringIO()
            with contextlib.redirect_stdout(out):  # the book's Animator prints figures outside a notebook
                book.train_ch6(net, train_iter, test_iter, args.epochs, LR, torch.device("cpu"))
            t_book = time.perf_counter() - start
            book_acc = book.evaluate_accuracy_gpu(net, test_iter)
        finally:
            os.chdir(cwd)

    print(f"machine: {os.cpu_count()} CPU cores, torch {torch.__version__}; LeNet, {args.epochs} epochs, "
          f"batch {BATCH_SIZE}, lr {LR}, seed 0, wall time including data loading and evaluation")
    print(f"  d2l_helpers.train_ch6          : {t_ours:7.1f} s   test acc {ours.test_acc:.3f}")
    print(f"  d2l 0.17.6 train_ch6 + loader  : {t_book:7.1f} s   test acc {book_acc:.3f}")
    print(f"  ratio (book / d2l_helpers)     : {t_book / t_ours:7.2f}x")


if __name__ == "__main__":
    main()
