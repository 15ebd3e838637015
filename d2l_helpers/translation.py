"""The English-French translation data: read, normalise, tokenize, pad and batch sentence pairs.

Introduced in 09_05_machine_translation. Differences from the book: ``tokenize_nmt(text, num_examples=600)``
returns exactly 600 pairs (the book's ``i > num_examples`` test returns 601), and lines with extra tab-separated
columns (newer Tatoeba files add an attribution) are read, not skipped. Beyond the book,
``load_heldout_nmt`` gives pairs that the training set does not contain, for held-out BLEU.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch

from .data import TensorLoader, load_array
from .downloads import download_extract
from .plotting import plt, set_figsize
from .text import Vocab

RESERVED = ["<pad>", "<bos>", "<eos>"]
Tokens = list[list[str]]


def read_data_nmt() -> str:
    """The raw English<TAB>French lines of fra-eng/fra.txt; introduced in 09_05."""
    with open(os.path.join(download_extract("fra-eng"), "fra.txt"), encoding="utf-8") as f:
        return f.read()


def preprocess_nmt(text: str) -> str:
    """Lowercase, turn non-breaking spaces into spaces, and put a space before , . ! ? ; introduced in 09_05."""
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    out = [" " + char if i > 0 and char in ",.!?" and text[i - 1] != " " else char for i, char in enumerate(text)]
    return "".join(out)


def tokenize_nmt(text: str, num_examples: int | None = None) -> tuple[Tokens, Tokens]:
    """Word tokens of the first ``num_examples`` pairs (all if None): (source, target); introduced in 09_05."""
    source: Tokens = []
    target: Tokens = []
    for line in text.split("\n"):
        if num_examples and len(source) >= num_examples:
            break
        parts = line.split("\t")
        if len(parts) >= 2:
            source.append(parts[0].split(" "))
            target.append(parts[1].split(" "))
    return source, target


def show_list_len_pair_hist(legend: Sequence[str], xlabel: str, ylabel: str, xlist: Tokens, ylist: Tokens) -> None:
    """Histogram of token counts per sequence for two lists side by side; introduced in 09_05."""
    set_figsize()
    _, _, patches = plt.hist([[len(seq) for seq in xlist], [len(seq) for seq in ylist]])
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    for patch in patches[1].patches:  # type: ignore[union-attr]
        patch.set_hatch("/")
    plt.legend(legend)


def truncate_pad(line: list[int], num_steps: int, padding_token: int) -> list[int]:
    """Cut ``line`` to ``num_steps`` tokens or pad it with ``padding_token`` up to that; introduced in 09_05."""
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array_nmt(lines: Tokens, vocab: Vocab, num_steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices with ``<eos>`` appended, padded to (num_lines, num_steps), and each line's valid length; 09_05."""
    indices = [vocab[line] + [vocab["<eos>"]] for line in lines]
    array = torch.tensor([truncate_pad(line, num_steps, vocab["<pad>"]) for line in indices])
    valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1)  # (num_lines,)
    return array, valid_len


def _pairs(num_examples: int | None) -> tuple[Tokens, Tokens]:
    return tokenize_nmt(preprocess_nmt(read_data_nmt()), num_examples)


def load_data_nmt(batch_size: int, num_steps: int,
                  num_examples: int = 600) -> tuple[TensorLoader, Vocab, Vocab]:
    """Batches of (X, X_valid_len, Y, Y_valid_len) and the source and target vocabularies; introduced in 09_05."""
    source, target = _pairs(num_examples)
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=RESERVED)
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=RESERVED)
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_iter = load_array((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)
    return data_iter, src_vocab, tgt_vocab


def load_heldout_nmt(num_examples: int = 600, num_heldout: int = 500) -> list[tuple[str, str]]:
    """Up to ``num_heldout`` (English, French) pairs after the first ``num_examples`` whose English sentence
    the training pairs do not contain (beyond the book); sentences are preprocessed like the training data.
    """
    source, target = _pairs(None)
    seen = {" ".join(s) for s in source[:num_examples]}
    pairs = [(" ".join(s), " ".join(t)) for s, t in zip(source[num_examples:], target[num_examples:])]
    return [(src, tgt) for src, tgt in pairs if src not in seen][:num_heldout]
