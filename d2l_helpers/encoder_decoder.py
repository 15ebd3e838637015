"""The encoder-decoder interface: an encoder turns the source into a state that conditions the decoder.

Introduced in 09_06_encoder_decoder; the RNN versions are in ``seq2seq`` (09_07).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class Encoder(nn.Module):
    """The encoder interface: source batch in, encoded outputs out; introduced in 09_06."""

    def forward(self, X: torch.Tensor, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(X, *args)")


class Decoder(nn.Module):
    """The decoder interface: ``init_state`` from the encoder's outputs, then ``forward(X, state)``; 09_06."""

    def init_state(self, enc_outputs: Any, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define init_state(enc_outputs, *args)")

    def forward(self, X: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        raise NotImplementedError(f"{type(self).__name__} must define forward(X, state)")


class EncoderDecoder(nn.Module):
    """Run the encoder on ``enc_X``, start the decoder's state from it, decode ``dec_X``; introduced in 09_06.

    Extra arguments (e.g. the source's valid lengths) go to the encoder and to ``init_state``.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X: torch.Tensor, dec_X: torch.Tensor, *args: Any) -> tuple[torch.Tensor, Any]:
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)
