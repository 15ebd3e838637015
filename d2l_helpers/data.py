"""Synthetic data and minibatches sliced from in-memory tensors.

Introduced in 03_02_linear_regression_scratch (``synthetic_data``) and
03_03_linear_regression_concise (``load_array``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch

Batch = tuple[torch.Tensor, ...]


def check_batch_size(batch_size: int) -> int:
    """Return ``batch_size`` if it is a positive int, else raise a ValueError that says so."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return batch_size


class TensorLoader:
    """Iterate over minibatches sliced from tensors that share their first dimension (no per-example Python work).

    Each pass draws a fresh order with ``torch.randperm`` when ``shuffle`` is set, so ``torch.manual_seed``
    makes it repeatable. ``transform`` maps each batch (e.g. uint8 images to floats); ``max_batches`` caps a pass.
    """

    def __init__(
        self,
        tensors: Sequence[torch.Tensor],
        batch_size: int,
        shuffle: bool = False,
        transform: Callable[[Batch], Batch] | None = None,
        max_batches: int | None = None,
    ) -> None:
        if not tensors:
            raise ValueError("TensorLoader needs at least one tensor")
        lengths = [len(t) for t in tensors]
        if len(set(lengths)) != 1:
            raise ValueError(f"all tensors must have the same length along dim 0 (one row per example), got lengths "
                             f"{lengths}; check that features and labels describe the same examples")
        self.tensors = tuple(tensors)
        self.batch_size = check_batch_size(batch_size)
        self.shuffle = shuffle
        self.transform = transform
        self.max_batches = max_batches

    @property
    def num_examples(self) -> int:
        """Number of examples in one full pass."""
        return len(self.tensors[0])

    def __len__(self) -> int:
        n = -(-self.num_examples // self.batch_size)  # ceil division
        return n if self.max_batches is None else min(n, self.max_batches)

    def __iter__(self) -> Iterator[Batch]:
        n = self.num_examples
        order = torch.randperm(n) if self.shuffle else None
        for b in range(len(self)):
            lo, hi = b * self.batch_size, min((b + 1) * self.batch_size, n)
            if order is None:
                batch = tuple(t[lo:hi] for t in self.tensors)
            else:
                idx = order[lo:hi]
                batch = tuple(t.index_select(0, idx) for t in self.tensors)  # much faster than t[idx]
            yield self.transform(batch) if self.transform is not None else batch


def synthetic_data(w: torch.Tensor, b: float, num_examples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate y = Xw + b + noise with X ~ N(0, 1) and noise ~ N(0, 0.01²); introduced in 03_02.

    ``w`` is a weight vector of shape (n,) or, as in the book's 4.5, a column (n, 1); labels are (num_examples, 1).
    """
    if not (w.ndim == 1 or (w.ndim == 2 and w.shape[1] == 1)):
        raise ValueError(f"w must be a weight vector of shape (n,) or (n, 1), got shape {tuple(w.shape)}")
    if num_examples <= 0:
        raise ValueError(f"num_examples must be positive, got {num_examples}")
    X = torch.normal(0, 1, (num_examples, w.shape[0]))  # (num_examples, num_inputs)
    y = torch.matmul(X, w.reshape(-1)) + b  # (num_examples,)
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))  # y: (num_examples, 1)


def get_dataloader_workers() -> int:
    """Worker processes for a torch ``DataLoader`` (the book's 3.5 helper): 0, i.e. load in the training process.

    The course's loaders slice in-memory tensors, which is faster than worker processes on a laptop, and 0 workers
    never starves a 2-core machine or fails on Windows/macOS, where the book's 4 workers often do.
    """
    return 0


def load_array(data_arrays: Sequence[torch.Tensor], batch_size: int, is_train: bool = True) -> TensorLoader:
    """Minibatch iterator over tensors, shuffled when ``is_train``; introduced in 03_03_linear_regression_concise."""
    return TensorLoader(data_arrays, batch_size, shuffle=is_train)
