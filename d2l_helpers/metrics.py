"""Counting and measuring: running sums, a stopwatch, accuracy and average loss over a data iterator.

Introduced in 03_02_linear_regression_scratch (``Timer``), 03_06_softmax_regression_scratch
(``accuracy``, ``Accumulator``, ``evaluate_accuracy``) and 04_04_underfit_overfit (``evaluate_loss``).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator

import torch
from torch import nn

Net = Callable[[torch.Tensor], torch.Tensor]
Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class Accumulator:
    """Keep ``n`` running sums, e.g. (loss sum, correct count, example count); introduced in 03_06."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"Accumulator needs at least one slot, got n={n}")
        self.data = [0.0] * n

    def add(self, *args: float) -> None:
        """Add one value to each running sum, in order."""
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator holds {len(self.data)} sums but add() got {len(args)} values")
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self) -> None:
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]


class Timer:
    """Record several running times; starts on creation; introduced in 03_01_linear_regression."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) the stopwatch."""
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the stopwatch, record and return the elapsed seconds."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """Mean of the recorded times."""
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """Total of the recorded times."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """Running totals of the recorded times."""
        return list(itertools.accumulate(self.times))


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Count correct predictions: argmax of ``y_hat`` (batch, classes) vs integer labels ``y``; introduced in 03_06."""
    if y.is_floating_point() or y.is_complex():
        raise TypeError(f"labels y must be an integer tensor of class indices (e.g. torch.int64), got {y.dtype}; "
                        "convert with y.long()")
    if y_hat.shape[0] != y.shape[0]:
        raise ValueError(f"y_hat has {y_hat.shape[0]} rows but y has {y.shape[0]} labels; they must match")
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)  # (batch,)
    cmp = y_hat.type(y.dtype) == y.reshape(y_hat.shape)
    return float(cmp.sum())


def summed_loss(l: torch.Tensor, n: int, loss: object = None) -> torch.Tensor:
    """Sum of per-example losses in a batch of ``n``, whether ``loss`` returned per-example values, a mean or a sum."""
    if l.ndim > 0:
        return l.sum()
    return l if getattr(loss, "reduction", "mean") == "sum" else l * n


def to_device(X: torch.Tensor, y: torch.Tensor, device: torch.device | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Move a batch to ``device``; ``None`` leaves it where it is."""
    return (X, y) if device is None else (X.to(device), y.to(device))


@contextlib.contextmanager
def eval_mode(net: object) -> Iterator[None]:
    """Run the block without gradients and, for an ``nn.Module``, in eval mode; its mode is restored after."""
    was_training = isinstance(net, nn.Module) and net.training
    if isinstance(net, nn.Module):
        net.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        if was_training:
            net.train()  # type: ignore[union-attr]


def evaluate_accuracy(net: Net, data_iter: Batches, device: torch.device | None = None) -> float:
    """Accuracy of ``net`` over all batches of ``data_iter`` (eval mode, no gradients); introduced in 03_06."""
    metric = Accumulator(2)  # (correct predictions, examples)
    with eval_mode(net):
        for X, y in data_iter:
            X, y = to_device(X, y, device)
            metric.add(accuracy(net(X), y), y.numel())
    if metric[1] == 0:
        raise ValueError("evaluate_accuracy got an empty data iterator; nothing to evaluate")
    return metric[0] / metric[1]


def evaluate_loss(
    net: Net, data_iter: Batches, loss: Loss, device: torch.device | None = None
) -> float:
    """Average per-example loss of ``net`` over ``data_iter``; works with summed, mean or per-example losses; 04_04."""
    metric = Accumulator(2)  # (loss sum, examples)
    with torch.no_grad():
        for X, y in data_iter:
            X, y = to_device(X, y, device)
            out = net(X)
            if y.numel() == out.numel():  # regression: align (batch,) labels with (batch, 1) outputs
                y = y.reshape(out.shape)
            n = y.shape[0]
            metric.add(float(summed_loss(loss(out, y), n, loss)), n)
    if metric[1] == 0:
        raise ValueError("evaluate_loss got an empty data iterator; nothing to evaluate")
    return metric[0] / metric[1]
