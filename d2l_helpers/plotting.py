"""Matplotlib helpers used by the lectures: figures, line plots, image grids and a live training plot.

Introduced in 02_04_calculus (``plot``), 03_05_image_classification_dataset
(``show_images``), 03_06_softmax_regression_scratch (``Animator``) and 10_01_attention_cues (``show_heatmaps``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

__all__ = ["plt", "use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "show_heatmaps", "Animator"]

Fmts = Sequence[str]
DEFAULT_FMTS: tuple[str, ...] = ("-", "m--", "g-.", "r:")


def use_svg_display() -> None:
    """Render inline figures as SVG (sharp at any zoom); introduced in 02_04_calculus.

    The SVG carries no date and fixed element ids, so re-running a notebook reproduces its figures byte for byte.
    """
    try:
        from matplotlib_inline import backend_inline
    except ImportError:  # not inside Jupyter: nothing to configure
        return
    plt.rcParams["svg.hashsalt"] = "d2l-course"
    backend_inline.set_matplotlib_formats("svg", metadata={"Date": None})


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """Use SVG output and set the default figure size; introduced in 02_04_calculus."""
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(
    axes: Axes,
    xlabel: str | None,
    ylabel: str | None,
    xlim: tuple[float, float] | None,
    ylim: tuple[float, float] | None,
    xscale: str,
    yscale: str,
    legend: Sequence[str] | None,
) -> None:
    """Label, scale and limit one matplotlib ``Axes``; introduced in 02_04_calculus."""
    axes.set_xlabel(xlabel or "")
    axes.set_ylabel(ylabel or "")
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


def _has_one_axis(X: Any) -> bool:
    return (hasattr(X, "ndim") and X.ndim == 1) or (isinstance(X, list) and not hasattr(X[0], "__len__"))


def _as_numpy(x: Any) -> Any:
    return x.detach().cpu().numpy() if torch.is_tensor(x) else x


def plot(
    X: Any,
    Y: Any = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend: Sequence[str] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    fmts: Fmts = DEFAULT_FMTS,
    figsize: tuple[float, float] = (3.5, 2.5),
    axes: Axes | None = None,
) -> None:
    """Plot one or several curves: ``plot(x, [f(x), g(x)])``, or ``plot(y)``; introduced in 02_04_calculus."""
    set_figsize(figsize)
    axes = axes if axes is not None else plt.gca()
    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        if len(x):
            axes.plot(_as_numpy(x), _as_numpy(y), fmt)
        else:
            axes.plot(_as_numpy(y), fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)


def show_images(
    imgs: Sequence[Any],
    num_rows: int,
    num_cols: int,
    titles: Sequence[str] | None = None,
    scale: float = 1.5,
    cmap: str | None = None,
) -> list[Axes]:
    """Show a grid of images (tensors or arrays) with optional titles; introduced in 03_05."""
    if num_rows < 1 or num_cols < 1:
        raise ValueError(f"show_images needs num_rows and num_cols >= 1, got {num_rows} x {num_cols}")
    _, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale), squeeze=False)
    flat = list(axes.flatten())
    for i, (ax, img) in enumerate(zip(flat, imgs)):
        ax.imshow(_as_numpy(img), cmap=cmap)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return flat


def show_heatmaps(matrices: Any, xlabel: str, ylabel: str, titles: Sequence[str] | None = None,
                  figsize: tuple[float, float] = (2.5, 2.5), cmap: str = "Reds") -> None:
    """Show a grid of heatmaps from ``matrices`` of shape (rows, columns, queries, keys); introduced in 10_01."""
    if getattr(matrices, "ndim", None) != 4:
        raise ValueError(f"show_heatmaps takes a 4-D tensor (rows, columns, queries, keys), got shape "
                         f"{tuple(getattr(matrices, 'shape', ()))}; e.g. weights.reshape((1, 1, queries, keys))")
    use_svg_display()
    num_rows, num_cols = matrices.shape[0], matrices.shape[1]
    fig, axes = plt.subplots(num_rows, num_cols, figsize=figsize, sharex=True, sharey=True, squeeze=False)
    for i, (row_axes, row_matrices) in enumerate(zip(axes, matrices)):
        for j, (ax, matrix) in enumerate(zip(row_axes, row_matrices)):
            pcm = ax.imshow(_as_numpy(matrix), cmap=cmap)  # works for tensors on a GPU too
            if i == num_rows - 1:
                ax.set_xlabel(xlabel)
            if j == 0:
                ax.set_ylabel(ylabel)
            if titles:
                ax.set_title(titles[j])
    fig.colorbar(pcm, ax=axes, shrink=0.6)


def _is_many(v: Any) -> bool:
    """True for a tuple, list, array or 1-D tensor of values; False for a number or a 0-d tensor/array."""
    return hasattr(v, "__len__") and getattr(v, "ndim", 1) != 0


def _values(v: Any) -> list[Any]:
    """Animator.add's x or y as a list: one value per curve."""
    return list(v) if _is_many(v) else [v]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, VS Code, nbconvert), where outputs can be updated in place."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class Animator:
    """Plot data points as they arrive, redrawn in place in JupyterLab; introduced in 03_06."""

    def __init__(
        self,
        xlabel: str | None = None,
        ylabel: str | None = None,
        legend: Sequence[str] | None = None,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        xscale: str = "linear",
        yscale: str = "linear",
        fmts: Fmts = DEFAULT_FMTS,
        nrows: int = 1,
        ncols: int = 1,
        figsize: tuple[float, float] = (3.5, 2.5),
    ) -> None:
        use_svg_display()
        self.fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
        plt.close(self.fig)  # shown through the display handle only, not again at the end of the cell
        self.axes: list[Axes] = list(axes.flatten())
        self._axes_config = (xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.fmts = fmts
        self.X: list[list[float]] = []
        self.Y: list[list[float]] = []
        self._handle: Any = None

    def config_axes(self) -> None:
        """Apply the labels, limits, scales and legend given to the constructor."""
        set_axes(self.axes[0], *self._axes_config)

    def add(self, x: Any, y: Any) -> None:
        """Append one point per curve (``None`` skips a curve) and redraw."""
        ys = _values(y)
        xs = _values(x) if _is_many(x) else [x] * len(ys)
        if not self.X:
            self.X = [[] for _ in ys]
            self.Y = [[] for _ in ys]
        for i, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        self.axes[0].cla()
        for xi, yi, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(xi, yi, fmt)
        self.config_axes()
        self._show()

    def _show(self) -> None:
        if not in_notebook():
            return
        from IPython import display

        if self._handle is None:
            self._handle = display.display(self.fig, display_id=True)
        else:
            self._handle.update(self.fig)
