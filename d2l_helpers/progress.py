"""Progress with an ETA for long training runs, as plain text (introduced in 06_06_lenet).

In a Jupyter kernel (JupyterLab, VS Code, nbconvert) the bar is one plain-text output that is
updated in place through a display handle: no widgets, no terminal control codes, so a committed
notebook keeps only the final line. Elsewhere it is an ordinary tqdm bar on stderr, shown when
stderr is a terminal. A bar appears only once a run has lasted ``delay`` seconds, so short runs stay quiet.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from tqdm import tqdm

from .plotting import in_notebook

DELAY_S = 2.0  # runs shorter than this show no bar at all
MININTERVAL_S = 0.5  # at most two redraws a second


class _NotebookBar(tqdm):  # type: ignore[type-arg]
    """A tqdm bar rendered as a text/plain output that is replaced in place, never appended to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._handle: Any = None
        super().__init__(*args, file=io.StringIO(), disable=False, **kwargs)  # tqdm's own output goes nowhere

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        from IPython import display

        text = {"text/plain": self.__str__() if msg is None else msg}
        if self._handle is None:
            self._handle = display.display(text, raw=True, display_id=True)
        else:
            self._handle.update(text, raw=True)
        return True


def progress_bar(total: int | None, desc: str = "", unit: str = "batch") -> tqdm:  # type: ignore[type-arg]
    """A progress bar over ``total`` steps (None if unknown), shown after ``DELAY_S`` seconds; close it when done."""
    options: dict[str, Any] = dict(total=total, desc=desc, unit=unit, delay=DELAY_S, mininterval=MININTERVAL_S,
                                   dynamic_ncols=False, ncols=100)
    if in_notebook():
        return _NotebookBar(**options)
    return tqdm(file=sys.stderr, disable=None, **options)  # disable=None: only on a terminal
