"""Sequence to sequence with RNNs: a GRU encoder and decoder, masking of padded steps, and a masked loss.

Introduced in 09_07_seq2seq. One fix to the book's decoder: it keeps the encoder's context fixed while it
predicts token by token. The book's decoder takes its context from its own latest state, so at prediction time
the context drifts away from the one it was trained with (in training all steps are decoded in one call).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .encoder_decoder import Decoder, Encoder

DecoderState = tuple[torch.Tensor, torch.Tensor]  # hidden (num_layers, batch, hiddens), context (batch, hiddens)


class Seq2SeqEncoder(Encoder):
    """Embedding then a multilayer GRU over the source; returns (outputs, state); introduced in 09_07."""

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X: torch.Tensor, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:
        X = self.embedding(X).permute(1, 0, 2)  # (num_steps, batch, embed_size): time first for nn.GRU
        output, state = self.rnn(X)  # output: (num_steps, batch, num_hiddens); state: (num_layers, batch, hiddens)
        return output, state


class Seq2SeqDecoder(Decoder):
    """A GRU decoder that sees the encoder's final top-layer state (the context) at every step; 09_07.

    Its state is (hidden state, context): the context stays the encoder's while decoding step by step.
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs: tuple[torch.Tensor, torch.Tensor], *args: Any) -> DecoderState:
        enc_state = enc_outputs[1]  # (num_layers, batch, num_hiddens)
        return enc_state, enc_state[-1]  # the context: the top layer's last state, (batch, num_hiddens)

    def forward(self, X: torch.Tensor, state: DecoderState) -> tuple[torch.Tensor, DecoderState]:
        hidden, context = state
        X = self.embedding(X).permute(1, 0, 2)  # (num_steps, batch, embed_size)
        context = context.repeat(X.shape[0], 1, 1)  # (num_steps, batch, num_hiddens)
        output, hidden = self.rnn(torch.cat((X, context), 2), hidden)  # output: (num_steps, batch, num_hiddens)
        output = self.dense(output).permute(1, 0, 2)  # (batch, num_steps, vocab_size)
        return output, (hidden, state[1])


def length_mask(valid_len: torch.Tensor, num_steps: int, device: torch.device | str) -> torch.Tensor:
    """Booleans of shape (*valid_len.shape, num_steps): step j is valid where j < the length."""
    return torch.arange(num_steps, device=device) < valid_len.to(device).unsqueeze(-1)


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value: float = 0) -> torch.Tensor:
    """``X`` (batch, steps, ...) with every step at or past each row's valid length set to ``value``; 09_07.

    Returns a new tensor (the book's version also overwrites ``X`` in place).
    """
    if valid_len.shape[0] != X.shape[0]:
        raise ValueError(f"valid_len needs one length per row of X: X has {X.shape[0]} rows, valid_len has shape "
                         f"{tuple(valid_len.shape)}")
    mask = length_mask(valid_len, X.shape[1], X.device)  # (batch, steps)
    mask = mask.reshape(*mask.shape, *([1] * (X.ndim - 2)))
    return torch.where(mask, X, torch.as_tensor(value, dtype=X.dtype, device=X.device))


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """Cross-entropy that ignores padded steps: per sequence, the sum over valid steps / num_steps; 09_07.

    ``pred``: (batch, num_steps, vocab_size); ``label``: (batch, num_steps); ``valid_len``: (batch,).
    """

    def forward(self, pred: torch.Tensor, label: torch.Tensor, valid_len: torch.Tensor) -> torch.Tensor:
        weights = sequence_mask(torch.ones_like(label), valid_len)  # (batch, num_steps) of 1s and 0s
        self.reduction = "none"
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)  # classes must be dim 1: (batch, vocab, steps)
        return (unweighted_loss * weights).mean(dim=1)  # (batch,)
