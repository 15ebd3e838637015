"""The from-scratch linear-regression pieces: model, loss and minibatch SGD (derived in 03_02)."""

from __future__ import annotations

from collections.abc import Iterable

import torch


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Linear model Xw + b; introduced in 03_02_linear_regression_scratch."""
    return torch.matmul(X, w) + b  # (batch, num_inputs) @ (num_inputs, 1) -> (batch, 1)


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example squared loss (y_hat - y)² / 2, shaped like ``y_hat``; introduced in 03_02."""
    if y_hat.numel() != y.numel():
        raise ValueError(f"y_hat has {y_hat.numel()} values but y has {y.numel()}; one prediction per label")
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch SGD step: param -= lr * grad / batch_size, then zero the gradient; introduced in 03_02."""
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise RuntimeError("a parameter has no gradient: create it with requires_grad=True and call "
                                   "loss.backward() (on a sum of losses) before sgd()")
            param -= lr * param.grad / batch_size
            param.grad.zero_()
