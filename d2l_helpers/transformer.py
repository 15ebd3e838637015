"""The Transformer: positional encoding, position-wise FFN, add & norm, encoder and decoder blocks and stacks.

Introduced in 10_06_self_attention (``PositionalEncoding``) and 10_07_transformer. Fixes to the book:
the decoder applies its causal mask in eval mode too (the book drops it, so a decoder run on a whole target
sequence at evaluation time sees the future), and gives each token its true position while predicting token by
token (the book's decoder encodes every new token as position 0). ``PositionalEncoding`` accepts odd sizes.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .attention import AttentionDecoder, MultiHeadAttention
from .encoder_decoder import Encoder

DecoderState = list[Any]  # [encoder outputs, encoder valid lengths, per block: the keys/values decoded so far]


class PositionalEncoding(nn.Module):
    """Add sin/cos encodings of each position: P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(...); 10_06."""

    def __init__(self, num_hiddens: int, dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        position = torch.arange(max_len, dtype=torch.float32).reshape(-1, 1)
        X = position / torch.pow(10000, torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        P = torch.zeros((1, max_len, num_hiddens))  # (1, max_len, num_hiddens)
        P[:, :, 0::2] = torch.sin(X)
        P[:, :, 1::2] = torch.cos(X[:, : num_hiddens // 2])
        self.register_buffer("P", P, persistent=False)  # moves with .to(device); not a parameter

    def forward(self, X: torch.Tensor, start: int = 0) -> torch.Tensor:
        """``X`` (batch, steps, num_hiddens) whose first step sits at position ``start``."""
        if start + X.shape[1] > self.P.shape[1]:
            raise ValueError(f"positions up to {start + X.shape[1]} need PositionalEncoding(max_len >= "
                             f"{start + X.shape[1]}); it was built with max_len={self.P.shape[1]}")
        return self.dropout(X + self.P[:, start: start + X.shape[1], :])


class PositionWiseFFN(nn.Module):
    """The same two-layer MLP applied at every position; introduced in 10_07."""

    def __init__(self, ffn_num_input: int, ffn_num_hiddens: int, ffn_num_outputs: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dense1 = nn.Linear(ffn_num_input, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.dense2(self.relu(self.dense1(X)))  # (batch, steps, ffn_num_outputs)


class AddNorm(nn.Module):
    """Residual connection then layer normalization: LayerNorm(X + Dropout(Y)); introduced in 10_07."""

    def __init__(self, normalized_shape: Any, dropout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(normalized_shape)

    def forward(self, X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
        return self.ln(self.dropout(Y) + X)


class EncoderBlock(nn.Module):
    """Multi-head self-attention and a position-wise FFN, each followed by add & norm; introduced in 10_07."""

    def __init__(self, key_size: int, query_size: int, value_size: int, num_hiddens: int, norm_shape: Any,
                 ffn_num_input: int, ffn_num_hiddens: int, num_heads: int, dropout: float, use_bias: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.attention = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout,
                                            use_bias)
        self.addnorm1 = AddNorm(norm_shape, dropout)
        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(norm_shape, dropout)

    def forward(self, X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))  # (batch, steps, num_hiddens)
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(Encoder):
    """Embedding * sqrt(d) + positional encoding, then ``num_layers`` encoder blocks; introduced in 10_07."""

    def __init__(self, vocab_size: int, key_size: int, query_size: int, value_size: int, num_hiddens: int,
                 norm_shape: Any, ffn_num_input: int, ffn_num_hiddens: int, num_heads: int, num_layers: int,
                 dropout: float, use_bias: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_layers):
            self.blks.add_module(f"block{i}", EncoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape,
                                                           ffn_num_input, ffn_num_hiddens, num_heads, dropout,
                                                           use_bias))

    def forward(self, X: torch.Tensor, valid_lens: torch.Tensor | None, *args: Any) -> torch.Tensor:
        # The embedding is scaled up so that it is not drowned by the positional encoding in [-1, 1]
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens))  # (batch, steps, num_hiddens)
        self.attention_weights: list[torch.Tensor | None] = [None] * len(self.blks)
        for i, blk in enumerate(self.blks):
            X = blk(X, valid_lens)
            self.attention_weights[i] = blk.attention.attention.attention_weights  # (batch * heads, steps, steps)
        return X


def causal_valid_lens(batch_size: int, num_steps: int, past: int = 0,
                      device: torch.device | str | None = None) -> torch.Tensor:
    """(batch, num_steps) lengths: the query at position ``past + t`` may see keys 0 .. past + t; 10_07."""
    return torch.arange(past + 1, past + num_steps + 1, device=device).repeat(batch_size, 1)


class DecoderBlock(nn.Module):
    """Causal self-attention, attention to the encoder's outputs, and an FFN, each with add & norm; 10_07.

    ``i`` is the block's index in the decoder: the block keeps its decoded keys/values in ``state[2][i]``.
    """

    def __init__(self, key_size: int, query_size: int, value_size: int, num_hiddens: int, norm_shape: Any,
                 ffn_num_input: int, ffn_num_hiddens: int, num_heads: int, dropout: float, i: int,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.i = i
        self.attention1 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)
        self.addnorm1 = AddNorm(norm_shape, dropout)
        self.attention2 = MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads, dropout)
        self.addnorm2 = AddNorm(norm_shape, dropout)
        self.ffn = PositionWiseFFN(ffn_num_input, ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(norm_shape, dropout)

    def forward(self, X: torch.Tensor, state: DecoderState) -> tuple[torch.Tensor, DecoderState]:
        enc_outputs, enc_valid_lens, cache = state
        past = 0 if cache[self.i] is None else cache[self.i].shape[1]  # steps decoded before this call
        key_values = X if cache[self.i] is None else torch.cat((cache[self.i], X), dim=1)  # (batch, past+steps, d)
        cache[self.i] = key_values
        dec_valid_lens = causal_valid_lens(X.shape[0], X.shape[1], past, device=X.device)  # in training and eval alike
        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))  # look at the source
        return self.addnorm3(Z, self.ffn(Z)), state


class TransformerDecoder(AttentionDecoder):
    """Embedding + positional encoding, ``num_layers`` decoder blocks, a dense layer to the vocabulary; 10_07."""

    def __init__(self, vocab_size: int, key_size: int, query_size: int, value_size: int, num_hiddens: int,
                 norm_shape: Any, ffn_num_input: int, ffn_num_hiddens: int, num_heads: int, num_layers: int,
                 dropout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_hiddens, self.num_layers = num_hiddens, num_layers
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout)
        self.blks = nn.Sequential()
        for i in range(num_layers):
            self.blks.add_module(f"block{i}", DecoderBlock(key_size, query_size, value_size, num_hiddens, norm_shape,
                                                           ffn_num_input, ffn_num_hiddens, num_heads, dropout, i))
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs: torch.Tensor, enc_valid_lens: torch.Tensor | None,
                   *args: Any) -> DecoderState:
        return [enc_outputs, enc_valid_lens, [None] * self.num_layers]

    def forward(self, X: torch.Tensor, state: DecoderState) -> tuple[torch.Tensor, DecoderState]:
        past = 0 if state[2][0] is None else state[2][0].shape[1]  # tokens already decoded: their positions
        X = self.pos_encoding(self.embedding(X) * math.sqrt(self.num_hiddens), start=past)
        self._attention_weights: list[list[Any]] = [[None] * len(self.blks) for _ in range(2)]
        for i, blk in enumerate(self.blks):
            X, state = blk(X, state)
            self._attention_weights[0][i] = blk.attention1.attention.attention_weights  # decoder self-attention
            self._attention_weights[1][i] = blk.attention2.attention.attention_weights  # encoder-decoder attention
        return self.dense(X), state  # (batch, steps, vocab_size)

    @property
    def attention_weights(self) -> list[list[Any]]:
        return self._attention_weights
