"""Training a language model: the chapter-8 batch step on the course's one epoch driver, and perplexity.

Introduced in 08_05_rnn_scratch. ``train_ch8`` supplies only its batch step (state carried or reset, loss,
gradient clipping, update) to ``run_epochs``/``run_batches``. Beyond the book, ``test_iter`` adds held-out
perplexity, so memorising the training text shows up as a gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .metrics import Accumulator, Timer, eval_mode
from .rnn import State, detach_state, device_of, grad_clipping, predict_ch8
from .scratch import sgd
from .text import Vocab
from .training import Bar, Step, check_lr, length, run_batches, run_epochs

LMUpdater = torch.optim.Optimizer | Callable[..., None]
CLIP_THETA = 1.0  # the book's gradient-norm limit


@dataclass(frozen=True)
class LMResult:
    """Perplexity after the last epoch (on the training text, and held out if asked) and training speed."""

    perplexity: float
    heldout_perplexity: float = math.nan
    tokens_per_sec: float = math.nan
    device: str = "cpu"

    def __repr__(self) -> str:
        heldout = "" if math.isnan(self.heldout_perplexity) else f", held-out perplexity {self.heldout_perplexity:.2f}"
        return f"train perplexity {self.perplexity:.2f}{heldout}"


def _lm_forward(net: Any, batch: tuple[torch.Tensor, torch.Tensor], state: State,
                device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor, State]:
    """Outputs (num_steps * batch, vocab_size), time-major labels (num_steps * batch,) and the next state."""
    X, Y = batch
    y = Y.T.reshape(-1).to(device)  # time-major like the outputs
    y_hat, state = net(X.to(device), state)
    return y_hat, y.long(), state


def _lm_step(net: Any, loss: nn.Module, updater: LMUpdater, device: torch.device | str,
             use_random_iter: bool) -> Step:
    """Batch step for (X, Y) token batches; returns (loss sum, tokens). The state lives between batches."""
    state: list[State] = [None]

    def step(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[float, int]:
        if state[0] is None or use_random_iter:  # random batches do not continue each other: start afresh
            state[0] = net.begin_state(batch_size=batch[0].shape[0], device=device)
        else:  # carry the state on, but cut the graph: backpropagate through this batch only
            state[0] = detach_state(state[0])
        y_hat, y, state[0] = _lm_forward(net, batch, state[0], device)
        l = loss(y_hat, y).mean()
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.backward()
            grad_clipping(net, CLIP_THETA)
            updater.step()
        else:
            l.backward()
            grad_clipping(net, CLIP_THETA)
            updater(batch_size=1)  # the loss is already a mean
        return float(l.detach()) * y.numel(), y.numel()

    return step


def train_epoch_ch8(net: Any, train_iter: Any, loss: nn.Module, updater: LMUpdater, device: torch.device | str,
                    use_random_iter: bool, bar: Bar | None = None) -> tuple[float, float]:
    """One pass over ``train_iter``; returns (perplexity, tokens per second); introduced in 08_05."""
    if isinstance(net, nn.Module):
        net.train()
    timer = Timer()
    loss_sum, n = run_batches(train_iter, _lm_step(net, loss, updater, device, use_random_iter), 2, bar)
    return math.exp(loss_sum / n), n / timer.stop()


def evaluate_perplexity(net: Any, data_iter: Any, device: torch.device | str | None = None) -> float:
    """Perplexity of ``net`` on ``data_iter``, the state carried across its sequential batches (beyond the book)."""
    device = device_of(net) if device is None else device
    metric, state = Accumulator(2), None  # (loss sum, tokens)
    with eval_mode(net):
        for batch in data_iter:
            if state is None:
                state = net.begin_state(batch_size=batch[0].shape[0], device=device)
            y_hat, y, state = _lm_forward(net, batch, state, device)
            metric.add(float(nn.functional.cross_entropy(y_hat, y, reduction="sum")), y.numel())
    if metric[1] == 0:
        raise ValueError("evaluate_perplexity got an empty data iterator; nothing to evaluate")
    return math.exp(metric[0] / metric[1])


def train_ch8(net: Any, train_iter: Any, vocab: Vocab, lr: float, num_epochs: int, device: torch.device | str,
              use_random_iter: bool = False, *, test_iter: Any = None, plot_every: int = 10) -> LMResult:
    """Train a character language model with SGD and gradient clipping; introduced in 08_05_rnn_scratch.

    Plots training perplexity (and held-out perplexity on ``test_iter``, beyond the book) every ``plot_every``
    epochs; prints the book's final line and the continuations of 'time traveller' and 'traveller'.
    """
    check_lr(lr)
    loss = nn.CrossEntropyLoss()
    if isinstance(net, nn.Module):
        net.to(device)
        updater: LMUpdater = torch.optim.SGD(net.parameters(), lr)
    else:
        updater = lambda batch_size: sgd(net.params, lr, batch_size)  # noqa: E731  (the book's scratch updater)
    speeds: list[float] = []

    def epoch(i: int, bar: Bar) -> tuple[float]:
        ppl, speed = train_epoch_ch8(net, train_iter, loss, updater, device, use_random_iter, bar)
        speeds.append(speed)
        return (ppl,)

    evaluate = (lambda: (evaluate_perplexity(net, test_iter, device),)) if test_iter is not None else None
    values = run_epochs(num_epochs, epoch, batches_per_epoch=length(train_iter), ylabel="perplexity",
                        legend=["train", "held-out"] if test_iter is not None else ["train"],
                        evaluate=evaluate, plot_every=plot_every)
    ppl = float(values[0])  # type: ignore[arg-type]
    heldout = float(values[1]) if test_iter is not None else math.nan  # type: ignore[arg-type]
    speed = sum(speeds) / len(speeds)
    print(f"perplexity {ppl:.1f}, {speed:.1f} tokens/sec on {device}")
    if test_iter is not None:
        print(f"held-out perplexity {heldout:.1f}")
    print(predict_ch8("time traveller", 50, net, vocab, device))
    print(predict_ch8("traveller", 50, net, vocab, device))
    return LMResult(ppl, heldout, speed, str(device))
