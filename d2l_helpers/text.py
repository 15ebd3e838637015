"""Text into numbers: read The Time Machine, split lines into tokens, and map tokens to indices with a ``Vocab``.

Introduced in 08_02_text_preprocessing. One difference from the book: ``load_corpus_time_machine`` keeps each
line break as a space, so the last word of a line and the first word of the next do not run together.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .downloads import download

TOKEN_KINDS = ("word", "char")


def read_time_machine() -> list[str]:
    """The novel's lines, lowercased, every run of non-letters replaced by one space; introduced in 08_02."""
    with open(download("time_machine"), encoding="utf-8") as f:
        lines = f.readlines()
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """Split each line into words (``token='word'``) or characters (``token='char'``); introduced in 08_02."""
    if token not in TOKEN_KINDS:
        raise ValueError(f"unknown token type {token!r}: use token='word' or token='char'")
    if isinstance(lines, str):
        raise TypeError("tokenize takes a list of lines, not one string; wrap it: tokenize([text])")
    return [line.split() if token == "word" else list(line) for line in lines]


def count_corpus(tokens: Sequence[Any]) -> collections.Counter[str]:
    """Count token frequencies in a list of tokens or a list of token lists; introduced in 08_02."""
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


def _as_list(indices: Any) -> Any:
    return indices.tolist() if hasattr(indices, "tolist") else indices  # tensors and numpy arrays


class Vocab:
    """Tokens <-> indices: ``<unk>`` is 0, then the reserved tokens, then tokens by falling frequency; 08_02.

    Tokens seen fewer than ``min_freq`` times map to ``<unk>``. Ties keep the order of first appearance.
    """

    def __init__(self, tokens: Sequence[Any] | None = None, min_freq: int = 0,
                 reserved_tokens: Sequence[str] | None = None) -> None:
        counter = count_corpus(tokens if tokens is not None else [])
        self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token: list[str] = ["<unk>", *(reserved_tokens or [])]
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        if len(self.token_to_idx) != len(self.idx_to_token):
            raise ValueError(f"reserved_tokens must be distinct and must not include '<unk>', got {reserved_tokens}")
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens: Any) -> Any:
        """The index of a token (``<unk>``'s for an unknown one), or a list of indices for a list or tuple."""
        if not isinstance(tokens, list | tuple):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(token) for token in tokens]

    def to_tokens(self, indices: Any) -> Any:
        """The token of an index, or a list of tokens for a list, tuple, tensor or array of indices."""
        indices = _as_list(indices)
        if not isinstance(indices, list | tuple):
            return self.idx_to_token[indices]
        return [self.idx_to_token[index] for index in indices]

    @property
    def unk(self) -> int:
        """The index of the unknown token, 0."""
        return 0

    @property
    def token_freqs(self) -> list[tuple[str, int]]:
        """(token, count) pairs, most frequent first."""
        return self._token_freqs


def _join_lines(lines: Iterable[list[str]]) -> list[str]:
    """Character tokens of all non-empty lines with one space between lines (the book drops the line breaks)."""
    tokens: list[str] = []
    for line in lines:
        if line:
            if tokens:
                tokens.append(" ")
            tokens.extend(line)
    return tokens


def load_corpus_time_machine(max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """The novel as character indices (the first ``max_tokens`` if positive) and its character ``Vocab``; 08_02."""
    tokens = _join_lines(tokenize(read_time_machine(), "char"))
    vocab = Vocab(tokens)
    corpus = vocab[tokens]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab
