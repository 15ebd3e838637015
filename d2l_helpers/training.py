"""The course's one training loop and the lecture-named wrappers around it.

Two drivers do all the looping: ``run_batches`` feeds every batch of an epoch to a *step* function and
adds up what it returns; ``run_epochs`` runs the epochs with progress, a live plot and smoke-mode caps.
Each course trainer supplies only its batch step: ``train_epoch``/``train`` (classification, and regression
through ``train_epoch_ch3``), ``train_ch3`` (03_06_softmax_regression_scratch) and ``train_ch6`` (06_06_lenet).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .device import try_gpu
from .fashion_mnist import get_fashion_mnist_labels
from .metrics import Accumulator, Batches, Loss, Net, Timer, accuracy, evaluate_accuracy, summed_loss, to_device
from .plotting import Animator, show_images
from .progress import progress_bar
from .settings import cap_epochs

Updater = torch.optim.Optimizer | Callable[[int], None]
Step = Callable[[Any], Sequence[float]]  # one batch -> values to add up; the last one counts examples (or tokens)
Bar = Any  # a progress bar from progress.progress_bar


@dataclass(frozen=True)
class TrainResult:
    """Metrics after the last epoch, and the training speed (examples per second, evaluation excluded)."""

    train_loss: float
    train_acc: float
    test_acc: float
    examples_per_sec: float = math.nan
    device: str = "cpu"

    def __repr__(self) -> str:
        return f"train loss {self.train_loss:.3f}, train acc {self.train_acc:.3f}, test acc {self.test_acc:.3f}"


def check_num_epochs(num_epochs: int) -> int:
    """Return ``num_epochs`` capped for smoke mode, after checking it is a positive int."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs <= 0:
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")
    return cap_epochs(num_epochs)


def check_lr(lr: float) -> None:
    """Raise a ValueError unless ``lr`` is a positive number (the course trainers' learning rates)."""
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")


def length(data_iter: object) -> int | None:
    return len(data_iter) if hasattr(data_iter, "__len__") else None  # type: ignore[arg-type]


def run_batches(data_iter: Iterable[Any], step: Step, num_sums: int, bar: Bar | None = None) -> list[float]:
    """The one batch loop: add up ``step(batch)`` over ``data_iter``; the last of the ``num_sums`` values counts.

    Advances ``bar`` by one per batch; without one, shows its own (only if the pass takes a while).
    """
    own_bar = bar is None
    if own_bar:
        bar = progress_bar(length(data_iter))
    metric = Accumulator(num_sums)
    try:
        for batch in data_iter:
            metric.add(*step(batch))
            bar.update()
    finally:
        if own_bar:
            bar.close()
    if metric[num_sums - 1] == 0:
        raise ValueError("the data iterator yielded no batches; nothing to train on")
    return metric.data


def run_epochs(num_epochs: int, epoch: Callable[[int, Bar], Sequence[float | None]], *, batches_per_epoch: int | None,
               legend: Sequence[str], ylim: tuple[float, float] | None = None, yscale: str = "linear",
               evaluate: Callable[[], Sequence[float]] | None = None, plot_every: int = 1,
               ylabel: str | None = None) -> Sequence[float | None]:
    """The one epoch driver: ``epoch(i, bar)`` per epoch (capped in smoke mode), progress with an ETA, a live plot.

    Every ``plot_every`` epochs and after the last, ``evaluate()`` (e.g. held-out metrics) is called and its
    values are plotted after the epoch's own. Returns the values plotted last.
    """
    num_epochs = check_num_epochs(num_epochs)
    if isinstance(plot_every, bool) or not isinstance(plot_every, int) or plot_every < 1:
        raise ValueError(f"plot_every must be a positive integer, got {plot_every!r}")
    animator = Animator(xlabel="epoch", ylabel=ylabel, xlim=(1, max(num_epochs, 2)), ylim=ylim, yscale=yscale,
                        legend=legend)
    total = num_epochs * batches_per_epoch if batches_per_epoch else None
    values: Sequence[float | None] = ()
    with progress_bar(total) as bar:
        for i in range(num_epochs):
            bar.set_description(f"epoch {i + 1}/{num_epochs}", refresh=False)
            values = epoch(i, bar)
            if (i + 1) % plot_every == 0 or i + 1 == num_epochs:
                values = (*values, *(evaluate() if evaluate is not None else ()))
                animator.add(i + 1, values)
    return values


def _is_class_labels(y: torch.Tensor) -> bool:
    return not (y.is_floating_point() or y.is_complex())


def supervised_step(net: Net, loss: Loss, updater: Updater, device: torch.device | None) -> Step:
    """Batch step for (X, y) batches: forward, loss, backward, update; returns (loss sum, correct, examples)."""
    if not isinstance(updater, torch.optim.Optimizer) and not callable(updater):
        raise TypeError(f"updater must be a torch.optim optimizer or a function updater(batch_size), got {updater!r}")

    def step(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[float, float, int]:
        X, y = to_device(*batch, device)
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
        correct = accuracy(y_hat.detach(), y) if _is_class_labels(y) else math.nan  # regression: no accuracy
        return float(l_sum.detach()), correct, n

    return step


def _train_epoch_sums(net: Net, train_iter: Batches, loss: Loss, updater: Updater,
                      device: torch.device | None, bar: Bar | None = None) -> list[float]:
    step = supervised_step(net, loss, updater, device)
    if isinstance(net, nn.Module):
        net.train()
    return run_batches(train_iter, step, 3, bar)  # (loss sum, correct predictions, examples)


def train_epoch(net: Net, train_iter: Batches, loss: Loss, updater: Updater,
                device: torch.device | None = None) -> tuple[float, float]:
    """One pass over ``train_iter``; returns (mean loss, accuracy) over the training examples seen.

    Works for classification and regression: with float labels (e.g. ``nn.MSELoss`` on (batch, 1) targets)
    the accuracy is ``nan``, since it is not defined.
    """
    loss_sum, correct, n = _train_epoch_sums(net, train_iter, loss, updater, device)
    return loss_sum / n, correct / n


def train(net: Net, train_iter: Batches, test_iter: Batches, loss: Loss, num_epochs: int, updater: Updater, *,
          device: torch.device | None = None, init: Callable[[nn.Module], None] | None = None,
          ylim: tuple[float, float] | None = (0.3, 0.9)) -> TrainResult:
    """Train a classifier for ``num_epochs``, plotting train loss/accuracy and test accuracy per epoch.

    ``device``: move the net and every batch there; ``init``: applied to each submodule of the net first.
    """
    if isinstance(net, nn.Module):
        if init is not None:
            net.apply(init)
        if device is not None:
            net.to(device)
    timer, seen = Timer(), [0.0]

    def epoch(i: int, bar: Bar) -> tuple[float, float]:
        timer.start()
        loss_sum, correct, n = _train_epoch_sums(net, train_iter, loss, updater, device, bar)
        timer.stop()
        seen[0] += n
        return loss_sum / n, correct / n

    train_loss, train_acc, test_acc = run_epochs(num_epochs, epoch, batches_per_epoch=length(train_iter),
                                                 legend=["train loss", "train acc", "test acc"], ylim=ylim,
                                                 evaluate=lambda: (evaluate_accuracy(net, test_iter, device),))
    return TrainResult(train_loss, train_acc, test_acc, seen[0] / timer.sum(),  # type: ignore[arg-type]
                       str(device or "cpu"))


def train_epoch_ch3(net: Net, train_iter: Batches, loss: Loss, updater: Updater) -> tuple[float, float]:
    """The book's name for one training epoch (accuracy ``nan`` for regression); introduced in 03_06."""
    return train_epoch(net, train_iter, loss, updater)


def train_ch3(net: Net, train_iter: Batches, test_iter: Batches, loss: Loss, num_epochs: int,
              updater: Updater) -> TrainResult:
    """The book's chapter-3 trainer: ``train`` on the CPU; introduced in 03_06_softmax_regression_scratch."""
    return train(net, train_iter, test_iter, loss, num_epochs, updater)


def predict_ch3(net: Net, test_iter: Batches, n: int = 6) -> None:
    """Show the first ``n`` test images titled with the true and the predicted label (net on any device); 03_06."""
    X, y = next(iter(test_iter))
    device = None
    if isinstance(net, nn.Module):
        net.eval()
        device = next((p.device for p in net.parameters()), None)
    with torch.no_grad():
        preds = net(X if device is None else X.to(device)).argmax(dim=1).cpu()
    titles = [f"{t}\n{p}" for t, p in zip(get_fashion_mnist_labels(y), get_fashion_mnist_labels(preds))][:n]
    show_images(X[:n, 0], 1, n, titles=titles)  # X[:n, 0]: (n, H, W), dropping the channel axis


def evaluate_accuracy_gpu(net: Net, data_iter: Batches, device: torch.device | str | None = None) -> float:
    """Accuracy with every batch moved to ``device`` (default: where the net's parameters are); 06_06_lenet."""
    if device is None and isinstance(net, nn.Module):
        device = next((p.device for p in net.parameters()), None)
    return evaluate_accuracy(net, data_iter, torch.device(device) if device is not None else None)


def init_xavier(m: nn.Module) -> None:
    """Xavier-uniform weights for every ``nn.Linear`` and ``nn.Conv2d``, as the book's ``train_ch6`` does."""
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)


def _first_leaf(net: nn.Module) -> nn.Module:
    while isinstance(net, nn.Sequential) and len(net) > 0:
        net = net[0]
    return net


def check_image_batch(net: Net, X: torch.Tensor) -> None:
    """Raise a ValueError that explains the fix if ``X`` is not (batch, channels, H, W) as the net's input expects."""
    if X.ndim != 4:
        raise ValueError(f"train_ch6 trains on image batches of shape (batch, channels, height, width), got shape "
                         f"{tuple(X.shape)}; add a channel axis with X.unsqueeze(1), or use "
                         "d2l.load_data_fashion_mnist, which yields (batch, 1, 28, 28)")
    first = _first_leaf(net) if isinstance(net, nn.Module) else None
    if isinstance(first, nn.Conv2d) and first.in_channels and first.in_channels != X.shape[1]:
        raise ValueError(f"the network's first convolution expects {first.in_channels} input channel(s) but the "
                         f"images have {X.shape[1]} (batch shape {tuple(X.shape)}); make the first nn.Conv2d "
                         f"take {X.shape[1]} channel(s) (Fashion-MNIST is grayscale: 1)")


def train_ch6(net: nn.Module, train_iter: Batches, test_iter: Batches, num_epochs: int, lr: float,
              device: torch.device | str | None = None) -> TrainResult:
    """The book's chapter-6 trainer: Xavier init, SGD with ``lr`` and cross-entropy on ``device``; 06_06_lenet.

    ``device`` defaults to ``try_gpu()``.

    Prints the device first and, at the end, loss, train and test accuracy and training examples per second.
    """
    check_lr(lr)
    check_num_epochs(num_epochs)
    X, _ = next(iter(train_iter))
    check_image_batch(net, X)
    device = torch.device(device) if device is not None else try_gpu()
    print(f"training on {device}")
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    result = train(net, train_iter, test_iter, nn.CrossEntropyLoss(), num_epochs, optimizer,
                   device=device, init=init_xavier, ylim=None)
    print(f"loss {result.train_loss:.3f}, train acc {result.train_acc:.3f}, test acc {result.test_acc:.3f}\n"
          f"{result.examples_per_sec:.1f} examples/sec on {device}")
    return result
