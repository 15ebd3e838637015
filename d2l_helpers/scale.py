"""Book scale or laptop scale: one choice of training settings for the heavy notebooks of chapters 6-10.

The book's settings need a GPU; the laptop's finish in minutes on a 2-core CPU. ``pick_scale`` takes both,
uses the book's on a CUDA GPU and the laptop's otherwise, and ``D2L_SCALE=book|laptop`` overrides.
Introduced in 06_06_lenet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import torch

SCALES = ("book", "laptop")


class Scale:
    """The chosen settings, read as attributes (``scale.lr``); its text shows both columns and which one is used."""

    def __init__(self, name: str, reason: str, book: Mapping[str, Any], laptop: Mapping[str, Any]) -> None:
        self.name, self.reason = name, reason
        self.book, self.laptop = dict(book), dict(laptop)
        self.settings = self.book if name == "book" else self.laptop

    def __getattr__(self, key: str) -> Any:
        settings = self.__dict__.get("settings", {})
        if key in settings:
            return settings[key]
        raise AttributeError(f"no setting named {key!r}; the settings are {', '.join(settings) or 'none'}")

    def __repr__(self) -> str:
        width = max(len(k) for k in self.settings)
        cells = [(k, repr(self.book[k]), repr(self.laptop[k])) for k in self.settings]
        col = max(len("book"), *(len(b) for _, b, _ in cells))
        rows = [f"{'setting':<{width}}  {'book':<{col}}  laptop"]
        rows += [f"{k:<{width}}  {b:<{col}}  {lap}" for k, b, lap in cells]
        return "\n".join(rows + [f"-> {self.name} settings ({self.reason})"])


def pick_scale(book: Mapping[str, Any], laptop: Mapping[str, Any]) -> Scale:
    """Choose the book's settings on a CUDA GPU, else the laptop's; ``D2L_SCALE=book|laptop`` overrides."""
    if set(book) != set(laptop):
        raise ValueError(f"book and laptop settings must name the same settings; only in one of them: "
                         f"{sorted(set(book) ^ set(laptop))}")
    if not book:
        raise ValueError("pick_scale needs at least one setting")
    forced = os.environ.get("D2L_SCALE", "").strip().lower()
    if forced and forced not in SCALES:
        raise ValueError(f"D2L_SCALE must be 'book' or 'laptop' (or unset to decide by the GPU), got {forced!r}")
    if forced:
        return Scale(forced, "set by D2L_SCALE", book, laptop)
    if torch.cuda.is_available():
        return Scale("book", "a CUDA GPU is present; D2L_SCALE=laptop overrides", book, laptop)
    return Scale("laptop", "no CUDA GPU; D2L_SCALE=book runs the book's settings here", book, laptop)
