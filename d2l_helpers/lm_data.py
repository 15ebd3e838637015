"""Minibatches for a language model: (X, Y) pairs of token subsequences where Y is X shifted by one token.

Introduced in 08_03_language_models. Random offsets come from torch's generator, so ``torch.manual_seed``
alone makes a run repeatable (the book uses Python's ``random``). Beyond the book, ``load_heldout_time_machine``
gives a later part of the novel for held-out perplexity.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch

from .settings import cap_batches
from .text import Vocab, load_corpus_time_machine

Batch = tuple[torch.Tensor, torch.Tensor]  # X, Y: (batch_size, num_steps) token indices


def _randint(high: int) -> int:
    """A uniform integer in [0, high] from torch's generator."""
    return int(torch.randint(0, high + 1, ()).item())


def _check(corpus: Sequence[int], batch_size: int, num_steps: int) -> None:
    for name, value in (("batch_size", batch_size), ("num_steps", num_steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if len(corpus) < batch_size * num_steps + num_steps + 1:
        raise ValueError(f"a corpus of {len(corpus)} tokens is too short for even one batch of {batch_size} "
                         f"subsequences of {num_steps} steps; use more tokens (max_tokens) or a smaller batch")


def seq_data_iter_random(corpus: Sequence[int], batch_size: int, num_steps: int) -> Iterator[Batch]:
    """Random sampling: subsequences from a random offset, in shuffled order; adjacent batches are unrelated; 08_03."""
    _check(corpus, batch_size, num_steps)
    corpus = corpus[_randint(num_steps - 1):]  # a random start, so every position can begin a subsequence
    num_subseqs = (len(corpus) - 1) // num_steps  # -1: every X needs its label one token later
    initial_indices = [num_steps * i for i in torch.randperm(num_subseqs).tolist()]
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = initial_indices[i: i + batch_size]
        X = [corpus[j: j + num_steps] for j in starts]
        Y = [corpus[j + 1: j + 1 + num_steps] for j in starts]
        yield torch.tensor(X), torch.tensor(Y)  # (batch_size, num_steps) each


def _sequential(corpus: Sequence[int], batch_size: int, num_steps: int, offset: int) -> Iterator[Batch]:
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset: offset + num_tokens]).reshape(batch_size, -1)  # (batch_size, tokens per row)
    Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]  # row b continues row b of the previous batch


def seq_data_iter_sequential(corpus: Sequence[int], batch_size: int, num_steps: int) -> Iterator[Batch]:
    """Sequential partitioning: row b of each batch continues row b of the previous batch; 08_03."""
    _check(corpus, batch_size, num_steps)
    return _sequential(corpus, batch_size, num_steps, _randint(num_steps))


class SeqDataLoader:
    """Iterate over The Time Machine in (X, Y) batches, randomly or sequentially; introduced in 08_03.

    ``start`` (beyond the book) skips that many tokens first (negative: count from the end);
    ``shuffle=False`` also fixes the sequential offset at 0, for repeatable evaluation.
    In smoke mode each pass stops after a few batches.
    """

    def __init__(self, batch_size: int, num_steps: int, use_random_iter: bool, max_tokens: int, *,
                 start: int = 0, shuffle: bool = True) -> None:
        corpus, self.vocab = load_corpus_time_machine()
        start = start if start >= 0 else max(len(corpus) + start, 0)
        self.corpus: list[int] = corpus[start: start + max_tokens] if max_tokens > 0 else corpus[start:]
        _check(self.corpus, batch_size, num_steps)
        self.batch_size, self.num_steps = batch_size, num_steps
        self.use_random_iter, self.shuffle = use_random_iter, shuffle

    def _batches(self) -> Iterator[Batch]:
        if not self.shuffle:
            return _sequential(self.corpus, self.batch_size, self.num_steps, 0)
        if self.use_random_iter:
            return seq_data_iter_random(self.corpus, self.batch_size, self.num_steps)
        return seq_data_iter_sequential(self.corpus, self.batch_size, self.num_steps)

    def __iter__(self) -> Iterator[Batch]:
        max_batches = cap_batches()
        for i, batch in enumerate(self._batches()):
            if max_batches is not None and i >= max_batches:
                return
            yield batch

    def __len__(self) -> int:
        """Batches per pass (the largest over the random offsets), for progress bars."""
        n = (len(self.corpus) - 1) // self.num_steps // self.batch_size
        max_batches = cap_batches()
        return n if max_batches is None else min(n, max_batches)


def load_data_time_machine(batch_size: int, num_steps: int, use_random_iter: bool = False,
                           max_tokens: int = 10000) -> tuple[SeqDataLoader, Vocab]:
    """The first ``max_tokens`` characters of the novel as a batch iterator, and the vocabulary; 08_03."""
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab


def load_heldout_time_machine(batch_size: int, num_steps: int, num_tokens: int = 10000) -> SeqDataLoader:
    """The last ``num_tokens`` characters of the novel, in a fixed order, for held-out perplexity (beyond the book).

    Its vocabulary equals the training loader's: both index the whole novel's characters.
    """
    return SeqDataLoader(batch_size, num_steps, False, num_tokens, start=-num_tokens, shuffle=False)
