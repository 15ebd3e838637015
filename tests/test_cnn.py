"""Chapter 6-7 helpers: cross-correlation, pooling, shapes, the residual block, FLOPs, train_ch6."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2l_helpers as d2l


def book_corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The book's double loop (6.2), as the reference for the vectorised helper."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@pytest.mark.parametrize("xh,xw,kh,kw", [(3, 3, 2, 2), (6, 8, 1, 2), (7, 5, 3, 3), (4, 4, 4, 4)])
def test_corr2d_equals_conv2d_and_the_books_loop(xh: int, xw: int, kh: int, kw: int) -> None:
    torch.manual_seed(0)
    X, K = torch.randn(xh, xw), torch.randn(kh, kw)
    Y = d2l.corr2d(X, K)
    assert torch.allclose(Y, F.conv2d(X[None, None], K[None, None])[0, 0], atol=1e-5)
    assert torch.allclose(Y, book_corr2d(X, K), atol=1e-5)


def test_corr2d_books_example_and_gradients() -> None:
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
    Y = d2l.corr2d(X, K)
    assert Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]
    Y.sum().backward()
    assert K.grad.tolist() == [[8.0, 12.0], [20.0, 24.0]]  # each kernel entry sees a 2x2 block of X


def test_corr2d_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D input X .* use torch.nn.functional.conv2d"):
        d2l.corr2d(torch.zeros(1, 1, 4, 4), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="larger than the input"):
        d2l.corr2d(torch.zeros(2, 2), torch.zeros(3, 3))


@pytest.mark.parametrize("n,k,p,s", list(itertools.product([5, 8, 28], [1, 3, 5], [0, 1, 2], [1, 2, 3])))
def test_output_shape_formula_matches_conv2d(n: int, k: int, p: int, s: int) -> None:
    if n + 2 * p < k:
        pytest.skip("kernel larger than the padded input")
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    assert conv(torch.zeros(1, 1, n, n)).shape[-1] == (n - k + 2 * p + s) // s  # floor((n - k + 2p + s) / s)


def test_1x1_convolution_is_a_per_pixel_fully_connected_layer() -> None:
    torch.manual_seed(0)
    X = torch.randn(2, 3, 4, 5)  # (batch, c_in, H, W)
    conv = nn.Conv2d(3, 6, kernel_size=1)
    fc = nn.Linear(3, 6)
    with torch.no_grad():
        fc.weight.copy_(conv.weight.reshape(6, 3))
        fc.bias.copy_(conv.bias)
    Y_fc = fc(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # channels last, linear, channels first again
    assert torch.allclose(conv(X), Y_fc, atol=1e-6)


@pytest.mark.parametrize("mode,layer", [("max", nn.MaxPool2d), ("avg", nn.AvgPool2d)])
def test_pool2d_equals_pytorch_pooling(mode: str, layer: type[nn.Module]) -> None:
    torch.manual_seed(0)
    X = torch.randn(5, 6)
    for size in [(1, 1), (2, 2), (3, 2)]:
        expected = layer(size, stride=1)(X[None, None])[0, 0]
        assert torch.allclose(d2l.pool2d(X, size, mode), expected, atol=1e-6)
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        d2l.pool2d(X, (2, 2), "min")


@pytest.mark.parametrize("c_in,c_out,use_1x1,strides,out_hw", [(3, 3, False, 1, 6), (3, 6, True, 2, 3),
                                                               (4, 8, True, 1, 6)])
def test_residual_shapes(c_in: int, c_out: int, use_1x1: bool, strides: int, out_hw: int) -> None:
    blk = d2l.Residual(c_in, c_out, use_1x1conv=use_1x1, strides=strides)
    assert blk(torch.rand(4, c_in, 6, 6)).shape == (4, c_out, out_hw, out_hw)


def test_residual_without_1x1_conv_cannot_change_shape() -> None:
    with pytest.raises(ValueError, match="pass use_1x1conv=True"):
        d2l.Residual(3, 6)
    with pytest.raises(ValueError, match="pass use_1x1conv=True"):
        d2l.Residual(3, 3, strides=2)


def test_residual_passes_the_gradient_through_the_identity() -> None:
    """With both conv weights zero the block is relu(x + bias terms): the input still gets a gradient."""
    blk = d2l.Residual(2, 2)
    for conv in (blk.conv1, blk.conv2):
        nn.init.zeros_(conv.weight)
    X = torch.rand(1, 2, 4, 4, requires_grad=True)
    blk(X).sum().backward()
    assert float(X.grad.abs().sum()) > 0


def test_flop_counter_on_known_layers() -> None:
    params, flops = d2l.count_params_flops(nn.Conv2d(192, 256, kernel_size=3, padding=1), (192, 28, 28))
    assert (params, flops) == (192 * 256 * 9, 192 * 256 * 9 * 28 * 28)  # 0.44 M and 346 M, as in the lecture
    params, flops = d2l.count_params_flops(nn.Sequential(nn.Flatten(), nn.Linear(12, 5)), (3, 2, 2))
    assert (params, flops) == (60, 60)
    strided = nn.Conv2d(4, 8, kernel_size=3, stride=2, padding=1)  # output 8 x 5 x 5
    assert d2l.count_params_flops(strided, (4, 10, 10)) == (288, 288 * 25)


def _tiny_images(n: int = 256) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Bright-left vs bright-right 8x8 images: a CNN learns this in one or two epochs."""
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (n,), generator=g)
    X = torch.rand(n, 1, 8, 8, generator=g) * 0.5
    X[y == 0, :, :, :4] += 0.5
    X[y == 1, :, :, 4:] += 0.5
    return list(d2l.load_array((X, y), 32, is_train=False))


def _tiny_cnn(in_channels: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
                         nn.Linear(16, 2))


class _Recording(nn.Module):
    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net, self.devices = net, set()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self.devices.add(X.device.type)
        return self.net(X)


def test_train_ch6_trains_a_tiny_cnn_on_the_given_device(no_smoke, capsys) -> None:
    torch.manual_seed(0)
    data = _tiny_images()
    net = _Recording(_tiny_cnn())
    result = d2l.train_ch6(net, data, data, 5, 0.5, "cpu")
    assert result.test_acc > 0.9 and result.train_loss < 0.4  # chance is 0.5
    assert net.devices == {"cpu"} and next(net.parameters()).device.type == "cpu"
    assert result.examples_per_sec > 0 and result.device == "cpu"
    out = capsys.readouterr().out
    assert out.startswith("training on cpu\n") and "examples/sec on cpu" in out and "test acc" in out


def test_evaluate_accuracy_gpu_uses_the_nets_device() -> None:
    data = _tiny_images(64)
    net = _tiny_cnn()
    assert 0.0 <= d2l.evaluate_accuracy_gpu(net, data) <= 1.0
    assert d2l.evaluate_accuracy_gpu(net, data) == d2l.evaluate_accuracy_gpu(net, data, "cpu")


def test_train_ch6_bad_input() -> None:
    data = _tiny_images(64)
    with pytest.raises(ValueError, match=r"first convolution expects 3 input channel\(s\) but the images have 1"):
        d2l.train_ch6(_tiny_cnn(3), data, data, 1, 0.1, "cpu")
    flat = [(X.reshape(X.shape[0], -1), y) for X, y in data]
    with pytest.raises(ValueError, match=r"shape \(batch, channels, height, width\), got shape \(32, 64\)"):
        d2l.train_ch6(_tiny_cnn(), flat, flat, 1, 0.1, "cpu")
    for lr in (0, -0.1, "0.1", None):
        with pytest.raises(ValueError, match="lr must be a positive number"):
            d2l.train_ch6(_tiny_cnn(), data, data, 1, lr, "cpu")  # type: ignore[arg-type]
    for epochs in (0, -1, 2.5):
        with pytest.raises(ValueError, match="num_epochs must be a positive integer"):
            d2l.train_ch6(_tiny_cnn(), data, data, epochs, 0.1, "cpu")  # type: ignore[arg-type]


class BookResidual(nn.Module):
    """The book's residual block (7.6), as the reference for d2l.Residual."""

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


@pytest.mark.parametrize("args", [(3, 3), (3, 6, True, 2)])
def test_residual_equals_the_books_block(args: tuple) -> None:
    torch.manual_seed(0)
    book, ours = BookResidual(*args), d2l.Residual(*args)
    ours.load_state_dict(book.state_dict())
    X = torch.randn(2, 3, 6, 6)
    for mode in (True, False):
        book.train(mode), ours.train(mode)
        assert torch.allclose(book(X), ours(X), atol=1e-6)
