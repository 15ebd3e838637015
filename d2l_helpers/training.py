"""The course's one training loop and the lecture-named wrappers around it.

``train_epoch`` runs one pass, ``train`` runs the epochs, evaluates and plots; ``train_ch3`` and
``train_epoch_ch3`` are the book's names for them (introduced in 03_06_softmax_regression_scratch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from .fashion_mnist import get_fashion_mnist_labels
from .metrics import Accumulator, Batches, Loss, Net, accuracy, evaluate_accuracy, summed_loss, to_device
from .plotting import Animator, show_images
from .settings import cap_epochs

Updater = torch.optim.Optimizer | Callable[[int], None]


@dataclass(frozen=True)
class TrainResult:
    """Metrics after the last epoch."""

    train_loss: float
    train_acc: float
    test_acc: float

    def __repr__(self) -> str:
        return f"train loss {self.train_loss:.3f}, train acc {self.train_acc:.3f}, test acc {self.test_acc:.3f}"


def train_epoch(net: Net, train_iter: Batches, loss: Loss, updater: Updater,
                device: torch.device | None = None) -> tuple[float, float]:
    """One pass over ``train_iter``; returns (mean loss, accuracy) on the training examples seen."""
    if not isinstance(updater, torch.optim.Optimizer) and not callable(updater):
        raise TypeError(f"updater must be a torch.optim optimizer or a function updater(batch_size), got {updater!r}")
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)  # (loss sum, correct predictions, examples)
    for X, y in train_iter:
        X, y = to_device(X, y, device)
        y_hat = net(X)
        n = y.shape[0]
        l_sum = summed_loss(loss(y_hat, y), n, loss)  # works for per-example, mean and sum losses
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            (l_sum / n).backward()
            updater.step()
        else:
            l_sum.backward()
            updater(n)  # the scratch updater divides by the batch size itself
        metric.add(float(l_sum.detach()), accuracy(y_hat.detach(), y), n)
    if metric[2] == 0:
        raise ValueError("train_iter yielded no batches; nothing to train on")
    return metric[0] / metric[2], metric[1] / metric[2]


def train(net: Net, train_iter: Batches, test_iter: Batches, loss: Loss, num_epochs: int, updater: Updater, *,
          device: torch.device | None = None, ylim: tuple[float, float] = (0.3, 0.9)) -> TrainResult:
    """Train for ``num_epochs`` (capped in smoke mode), plotting train loss/accuracy and test accuracy per epoch."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs <= 0:
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")
    num_epochs = cap_epochs(num_epochs)
    animator = Animator(xlabel="epoch", xlim=(1, max(num_epochs, 2)), ylim=ylim,
                        legend=["train loss", "train acc", "test acc"])
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch(net, train_iter, loss, updater, device)
        test_acc = evaluate_accuracy(net, test_iter, device)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    return TrainResult(train_loss, train_acc, test_acc)


def train_epoch_ch3(net: Net, train_iter: Batches, loss: Loss, updater: Updater) -> tuple[float, float]:
    """The book's name for one training epoch; introduced in 03_06_softmax_regression_scratch."""
    return train_epoch(net, train_iter, loss, updater)


def train_ch3(net: Net, train_iter: Batches, test_iter: Batches, loss: Loss, num_epochs: int,
              updater: Updater) -> TrainResult:
    """The book's chapter-3 trainer: ``train`` on the CPU; introduced in 03_06_softmax_regression_scratch."""
    return train(net, train_iter, test_iter, loss, num_epochs, updater)


def predict_ch3(net: Net, test_iter: Batches, n: int = 6) -> None:
    """Show the first ``n`` test images titled with the true and the predicted label; introduced in 03_06."""
    X, y = next(iter(test_iter))
    if isinstance(net, nn.Module):
        net.eval()
    with torch.no_grad():
        preds = net(X).argmax(dim=1)
    titles = [f"{t}\n{p}" for t, p in zip(get_fashion_mnist_labels(y), get_fashion_mnist_labels(preds))][:n]
    show_images(X[:n, 0], 1, n, titles=titles)  # X[:n, 0]: (n, H, W), dropping the channel axis
