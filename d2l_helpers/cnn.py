"""Convolution pieces of chapters 6-7: 2-D cross-correlation, the residual block, and a parameter/FLOP counter.

Introduced in 06_02_conv_layer (``corr2d``), 06_04_channels (``count_params_flops``), 06_05_pooling (``pool2d``)
and 07_06_resnet (``Residual``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .metrics import eval_mode


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with kernel ``K`` (h, w) -> (H - h + 1, W - w + 1); 06_02.

    Same result as the book's double loop, computed over all windows at once; gradients flow to X and K.
    """
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(f"corr2d takes a 2-D input X (height, width) and a 2-D kernel K, got X of shape "
                         f"{tuple(X.shape)} and K of shape {tuple(K.shape)}; for batches and channels use "
                         "torch.nn.functional.conv2d")
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f"kernel {tuple(K.shape)} is larger than the input {tuple(X.shape)}; pad the input first")
    windows = X.unfold(0, h, 1).unfold(1, w, 1)  # (H - h + 1, W - w + 1, h, w): every h x w window of X
    return (windows * K).sum(dim=(-2, -1))


def pool2d(X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max") -> torch.Tensor:
    """Max or average pooling of ``X`` (H, W) over every ``pool_size`` window, stride 1, no padding; 06_05_pooling."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    if X.ndim != 2:
        raise ValueError(f"pool2d takes a 2-D input (height, width), got shape {tuple(X.shape)}; for batches and "
                         "channels use nn.MaxPool2d / nn.AvgPool2d")
    p_h, p_w = pool_size
    if not (0 < p_h <= X.shape[0] and 0 < p_w <= X.shape[1]):
        raise ValueError(f"pool_size {tuple(pool_size)} must be positive and fit in the input {tuple(X.shape)}")
    windows = X.unfold(0, p_h, 1).unfold(1, p_w, 1)  # (H - p_h + 1, W - p_w + 1, p_h, p_w)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))


class Residual(nn.Module):
    """The ResNet residual block: two 3x3 conv + batch-norm layers plus a shortcut; introduced in 07_06_resnet.

    ``use_1x1conv`` puts a 1x1 convolution (with ``strides``) on the shortcut so that it matches the main path
    when the number of channels or the resolution changes.
    """

    def __init__(self, input_channels: int, num_channels: int, use_1x1conv: bool = False, strides: int = 1) -> None:
        super().__init__()
        if not use_1x1conv and (strides != 1 or input_channels != num_channels):
            raise ValueError(f"Residual({input_channels}, {num_channels}, strides={strides}) changes the shape of "
                             "its input, so the identity shortcut cannot be added to it; pass use_1x1conv=True")
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))  # (batch, num_channels, H / strides, W / strides)
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)  # the shortcut, reshaped to match Y
        return F.relu(Y + X)


def count_params_flops(net: nn.Module, input_shape: Sequence[int]) -> tuple[int, int]:
    """(parameters, multiply-adds) of one forward pass of ``net`` on one input of ``input_shape`` (C, H, W); 06_04.

    Counts the weights of every ``nn.Conv2d`` and ``nn.Linear`` (biases excluded) and their multiply-adds per
    output element, the convention of the lecture's Inception table (other layers are cheap and not counted).
    """
    counts = [0, 0]  # (weights, multiply-adds)

    def hook(module: nn.Module, _inputs: object, output: torch.Tensor) -> None:
        weights = module.weight.numel()  # type: ignore[union-attr]
        counts[0] += weights
        if isinstance(module, nn.Conv2d):  # each output pixel of each output channel: in/groups * kh * kw
            counts[1] += weights * output.shape[-2] * output.shape[-1]
        else:
            counts[1] += weights * (output.numel() // output.shape[-1])

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    try:
        with eval_mode(net):
            net(torch.zeros(1, *input_shape))
    finally:
        for handle in handles:
            handle.remove()
    return counts[0], counts[1]
