"""Character-level RNN language models: a from-scratch wrapper, one around ``nn.RNN``/``nn.GRU``/``nn.LSTM``,
and text generation.

Introduced in 08_05_rnn_scratch (``RNNModelScratch``, ``predict_ch8``) and 08_06_rnn_concise (``RNNModel``).
A state is a tensor (``nn.RNN``, ``nn.GRU``) or a tuple of tensors (``nn.LSTM`` and the scratch models).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .metrics import eval_mode
from .text import Vocab

State = Any  # torch.Tensor | tuple[torch.Tensor, ...]
Params = list[torch.Tensor]


class RNNModelScratch:
    """An RNN from plain tensors: ``forward_fn(inputs, state, params)`` over one-hot inputs; 08_05.

    ``get_params(vocab_size, num_hiddens, device)`` makes the parameters and
    ``init_state(batch_size, num_hiddens, device)`` the first state.
    """

    def __init__(self, vocab_size: int, num_hiddens: int, device: torch.device | str,
                 get_params: Callable[[int, int, Any], Params], init_state: Callable[[int, int, Any], State],
                 forward_fn: Callable[[torch.Tensor, State, Params], tuple[torch.Tensor, State]]) -> None:
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        self.params = get_params(vocab_size, num_hiddens, device)
        self.init_state, self.forward_fn = init_state, forward_fn

    def __call__(self, X: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        check_token_batch(X, self.vocab_size)
        X = F.one_hot(X.T, self.vocab_size).type(torch.float32)  # (num_steps, batch, vocab_size)
        return self.forward_fn(X, state, self.params)  # outputs: (num_steps * batch, vocab_size)

    def begin_state(self, batch_size: int, device: torch.device | str) -> State:
        """The first state for a batch of ``batch_size`` sequences."""
        return self.init_state(batch_size, self.num_hiddens, device)


class RNNModel(nn.Module):
    """A language model around a PyTorch recurrent layer, with a dense output layer; introduced in 08_06."""

    def __init__(self, rnn_layer: nn.RNNBase, vocab_size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.num_directions = 2 if self.rnn.bidirectional else 1
        self.linear = nn.Linear(self.num_hiddens * self.num_directions, self.vocab_size)

    def forward(self, inputs: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        check_token_batch(inputs, self.vocab_size)
        X = F.one_hot(inputs.T.long(), self.vocab_size).to(torch.float32)  # (num_steps, batch, vocab_size)
        Y, state = self.rnn(X, state)  # Y: (num_steps, batch, num_directions * num_hiddens)
        output = self.linear(Y.reshape(-1, Y.shape[-1]))  # (num_steps * batch, vocab_size)
        return output, state

    def begin_state(self, device: torch.device | str, batch_size: int = 1) -> State:
        """Zeros of shape (num_directions * num_layers, batch_size, num_hiddens); a pair of them for an LSTM."""
        shape = (self.num_directions * self.rnn.num_layers, batch_size, self.num_hiddens)
        if isinstance(self.rnn, nn.LSTM):
            return torch.zeros(shape, device=device), torch.zeros(shape, device=device)
        return torch.zeros(shape, device=device)


def check_token_batch(X: torch.Tensor, vocab_size: int) -> None:
    """Raise a ValueError that explains the fix unless ``X`` is a (batch, num_steps) tensor of token indices."""
    if not torch.is_tensor(X) or X.ndim != 2 or X.is_floating_point():
        got = f"shape {tuple(X.shape)}, dtype {X.dtype}" if torch.is_tensor(X) else type(X).__name__
        raise ValueError(f"a language model takes a (batch, num_steps) tensor of token indices, got {got}; "
                         "index tokens with the Vocab, e.g. torch.tensor([vocab[list('time')]])")
    if X.numel() and (int(X.min()) < 0 or int(X.max()) >= vocab_size):
        raise ValueError(f"token indices must lie in [0, {vocab_size}) for this model's vocabulary of {vocab_size}, "
                         f"got values from {int(X.min())} to {int(X.max())}; was the model built for another Vocab?")


def detach_state(state: State) -> State:
    """The state cut from the graph of earlier batches (truncated backpropagation through time)."""
    return state.detach() if torch.is_tensor(state) else tuple(s.detach() for s in state)


def parameters_of(net: Any) -> list[torch.Tensor]:
    """The trainable tensors of an ``nn.Module`` or of a scratch model's ``params`` list."""
    params = net.parameters() if isinstance(net, nn.Module) else net.params
    return [p for p in params if p.requires_grad]


def device_of(net: Any) -> torch.device:
    """Where the model's parameters live."""
    return parameters_of(net)[0].device


def predict_ch8(prefix: str, num_preds: int, net: Any, vocab: Vocab,
                device: torch.device | str | None = None) -> str:
    """Warm the state up on ``prefix``, then append ``num_preds`` most likely characters; introduced in 08_05."""
    if not prefix:
        raise ValueError("predict_ch8 needs a non-empty prefix to warm up the state, e.g. 'time traveller'")
    device = device_of(net) if device is None else device
    outputs = [vocab[prefix[0]]]
    with eval_mode(net):  # no dropout while generating
        state = net.begin_state(batch_size=1, device=device)
        for y in prefix[1:]:  # warm-up: feed the prefix, keep only the state
            _, state = net(torch.tensor([[outputs[-1]]], device=device), state)  # input (1, 1)
            outputs.append(vocab[y])
        for _ in range(num_preds):
            y_hat, state = net(torch.tensor([[outputs[-1]]], device=device), state)  # y_hat: (1, vocab_size)
            outputs.append(int(y_hat.argmax(dim=1).reshape(1)))
    return "".join(vocab.idx_to_token[i] for i in outputs)


def grad_clipping(net: Any, theta: float) -> None:
    """Rescale all gradients together so that their joint L2 norm is at most ``theta``; introduced in 08_05."""
    params: Sequence[torch.Tensor] = [p for p in parameters_of(net) if p.grad is not None]
    if params:
        torch.nn.utils.clip_grad_norm_(params, theta)  # same as the book's loop, in one fused call
