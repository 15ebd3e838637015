"""Attention: masked softmax, additive and scaled dot-product scoring, multi-head attention.

Introduced in 10_03_attention_scoring_functions (``masked_softmax``, ``AdditiveAttention``,
``DotProductAttention``), 10_04_bahdanau_attention (``AttentionDecoder``) and 10_05_multihead_attention.
One fix to the book: a query with no valid key gets all-zero weights (the book's -1e6 fill makes them uniform,
so padding would be attended to).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .encoder_decoder import Decoder
from .seq2seq import length_mask


def _valid_mask(shape: torch.Size, valid_lens: torch.Tensor, device: torch.device) -> torch.Tensor:
    """(batch, queries, keys) booleans: key j is valid for a query if j < its valid length."""
    batch, queries, keys = shape
    if valid_lens.dim() not in (1, 2):
        raise ValueError(f"valid_lens must be 1-D (batch,) or 2-D (batch, queries), "
                         f"got shape {tuple(valid_lens.shape)}")
    if tuple(valid_lens.shape) not in ((batch,), (batch, queries)):
        raise ValueError(f"valid_lens of shape {tuple(valid_lens.shape)} does not fit scores of shape {tuple(shape)}: "
                         "use (batch,) or (batch, queries)")
    lens = valid_lens.reshape(batch, -1).expand(batch, queries)  # one length per query
    return length_mask(lens, keys, device)


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis of ``X`` (batch, queries, keys), keeping only each query's first valid keys.

    Masked keys get exactly zero weight; a query with no valid key gets zeros everywhere. Introduced in 10_03.
    """
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    if X.dim() != 3:
        raise ValueError(f"masked_softmax takes scores of shape (batch, queries, keys), got shape {tuple(X.shape)}")
    mask = _valid_mask(X.shape, valid_lens, X.device)  # (batch, queries, keys)
    weights = nn.functional.softmax(X.masked_fill(~mask, torch.finfo(X.dtype).min), dim=-1)
    return weights * mask  # rows without any valid key: uniform * 0 = 0


def _check_keys_values(keys: torch.Tensor, values: torch.Tensor) -> None:
    if keys.shape[:2] != values.shape[:2]:
        raise ValueError(f"keys and values must pair up: keys have shape {tuple(keys.shape)} and values "
                         f"{tuple(values.shape)}, but (batch, number of key-value pairs) must be equal")


class AdditiveAttention(nn.Module):
    """Score a(q, k) = w_v^T tanh(W_q q + W_k k): queries and keys may differ in size; introduced in 10_03."""

    def __init__(self, key_size: int, query_size: int, num_hiddens: int, dropout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens: torch.Tensor | None) -> torch.Tensor:
        _check_keys_values(keys, values)
        queries, keys = self.W_q(queries), self.W_k(keys)  # (batch, queries, hiddens), (batch, keys, hiddens)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))  # (batch, queries, keys, hiddens)
        scores = self.w_v(features).squeeze(-1)  # (batch, queries, keys)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)  # (batch, queries, value_size)


class DotProductAttention(nn.Module):
    """Scaled dot-product score a(q, k) = q^T k / sqrt(d) (queries and keys of equal size d); introduced in 10_03."""

    def __init__(self, dropout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens: torch.Tensor | None = None) -> torch.Tensor:
        _check_keys_values(keys, values)
        if queries.shape[-1] != keys.shape[-1]:
            raise ValueError(f"dot-product attention needs queries and keys of the same size, got "
                             f"{queries.shape[-1]} and {keys.shape[-1]}; use AdditiveAttention for different sizes")
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)  # (batch, queries, keys)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)  # (batch, queries, value_size)


class AttentionDecoder(Decoder):
    """A decoder that exposes ``attention_weights`` for heatmaps; introduced in 10_04_bahdanau_attention."""

    @property
    def attention_weights(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define the attention_weights property")


def transpose_qkv(X: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(batch, steps, num_hiddens) -> (batch * num_heads, steps, num_hiddens / num_heads); introduced in 10_05."""
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)  # (batch, steps, heads, head_dim)
    X = X.permute(0, 2, 1, 3)  # (batch, heads, steps, head_dim)
    return X.reshape(-1, X.shape[2], X.shape[3])  # (batch * heads, steps, head_dim)


def transpose_output(X: torch.Tensor, num_heads: int) -> torch.Tensor:
    """Undo ``transpose_qkv``: (batch * num_heads, steps, head_dim) -> (batch, steps, num_hiddens); 10_05."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])  # (batch, heads, steps, head_dim)
    X = X.permute(0, 2, 1, 3)  # (batch, steps, heads, head_dim)
    return X.reshape(X.shape[0], X.shape[1], -1)


class MultiHeadAttention(nn.Module):
    """``num_heads`` scaled dot-product attentions over learned projections, run in parallel; introduced in 10_05.

    The heads are computed as one batched attention; ``self.attention.attention_weights`` has shape
    (batch * num_heads, queries, keys).
    """

    def __init__(self, key_size: int, query_size: int, value_size: int, num_hiddens: int, num_heads: int,
                 dropout: float, bias: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if num_hiddens % num_heads:
            below, above = num_hiddens // num_heads * num_heads, (num_hiddens // num_heads + 1) * num_heads
            raise ValueError(f"num_hiddens ({num_hiddens}) must be divisible by num_heads ({num_heads}): each head "
                             f"gets num_hiddens / num_heads features; use num_hiddens={below or above} or "
                             f"{above}, or a num_heads that divides {num_hiddens}")
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor,
                valid_lens: torch.Tensor | None) -> torch.Tensor:
        _check_keys_values(keys, values)
        queries = transpose_qkv(self.W_q(queries), self.num_heads)  # (batch * heads, queries, head_dim)
        keys = transpose_qkv(self.W_k(keys), self.num_heads)  # (batch * heads, keys, head_dim)
        values = transpose_qkv(self.W_v(values), self.num_heads)
        if valid_lens is not None:  # the same lengths for every head of an example
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)  # (batch * heads, queries, head_dim)
        return self.W_o(transpose_output(output, self.num_heads))  # (batch, queries, num_hiddens)
