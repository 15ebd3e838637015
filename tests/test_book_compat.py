"""The book's own calls (d2l 0.17, PyTorch, chapters 2-7), typed as a learner would, against ``d2l_helpers``.

Each test is a call the book makes with the inputs the book passes; only ``from d2l import torch as d2l``
became ``import d2l_helpers as d2l``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import d2l_helpers as d2l


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    d2l.plt.close("all")


def _poly_data(n: int = 100) -> tuple:
    """4.4's data: features x^i / i! of a scalar x, labels from a degree-3 polynomial, float (n, 1) labels."""
    torch.manual_seed(0)
    x = torch.randn(2 * n, 1)
    poly = torch.cat([x**i / math.gamma(i + 1) for i in range(4)], dim=1)  # (2n, 4)
    labels = poly @ torch.tensor([5.0, 1.2, -3.4, 5.6]) + torch.normal(0, 0.1, (2 * n,))
    return poly[:n], labels[:n], poly[n:], labels[n:]


def test_4_4_book_polynomial_fit_through_train_epoch_ch3(no_smoke) -> None:
    """Section 4.4's train(): its own epoch loop around d2l.train_epoch_ch3 with MSELoss(reduction='none')."""
    train_features, train_labels, test_features, test_labels = _poly_data()
    loss = nn.MSELoss(reduction="none")
    input_shape = train_features.shape[-1]
    net = nn.Sequential(nn.Linear(input_shape, 1, bias=False))
    batch_size = min(10, train_labels.shape[0])
    train_iter = d2l.load_array((train_features, train_labels.reshape(-1, 1)), batch_size)
    test_iter = d2l.load_array((test_features, test_labels.reshape(-1, 1)), batch_size, is_train=False)
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    animator = d2l.Animator(xlabel="epoch", ylabel="loss", yscale="log", xlim=[1, 400], ylim=[1e-3, 1e2],
                            legend=["train", "test"])
    for epoch in range(400):
        result = d2l.train_epoch_ch3(net, train_iter, loss, trainer)
        if epoch == 0 or (epoch + 1) % 20 == 0:
            animator.add(epoch + 1, (d2l.evaluate_loss(net, train_iter, loss), d2l.evaluate_loss(net, test_iter, loss)))
    train_loss, train_acc = result
    assert math.isnan(train_acc)  # float labels: accuracy is not defined, reported as nan
    assert train_loss < 0.05
    w = net[0].weight.data.numpy().ravel()
    assert np.allclose(w, [5, 1.2, -3.4, 5.6], atol=0.3)


def test_accuracy_itself_still_rejects_float_labels() -> None:
    with pytest.raises(TypeError, match="integer tensor of class indices"):
        d2l.accuracy(torch.zeros(3, 1), torch.zeros(3, 1))


def test_4_5_book_synthetic_data_with_a_column_weight_vector() -> None:
    n_train, num_inputs = 20, 200
    true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
    train_data = d2l.synthetic_data(true_w, true_b, n_train)
    train_iter = d2l.load_array(train_data, 5)
    X, y = train_data
    assert X.shape == (20, 200) and y.shape == (20, 1)
    assert torch.allclose(y, X @ true_w + true_b, atol=0.05)
    assert next(iter(train_iter))[1].shape == (5, 1)


def test_4_5_book_scratch_loop_with_linreg_squared_loss_sgd() -> None:
    torch.manual_seed(0)
    true_w, true_b = torch.ones((10, 1)) * 0.01, 0.05
    train_iter = d2l.load_array(d2l.synthetic_data(true_w, true_b, 100), 10)
    w = torch.normal(0, 1, size=(10, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    net, loss = lambda X: d2l.linreg(X, w, b), d2l.squared_loss
    before = d2l.evaluate_loss(net, train_iter, loss)
    for _ in range(20):
        for X, y in train_iter:
            l = loss(net(X), y) + 3 * torch.sum(w.pow(2)) / 2
            l.sum().backward()
            d2l.sgd([w, b], 0.003, 10)
    assert d2l.evaluate_loss(net, train_iter, loss) < before


@pytest.mark.parametrize("y", [0.5, (0.5,), [0.5, 0.7], (0.5, None, 0.9), torch.tensor(0.5), torch.tensor([0.5, 0.7]),
                               np.float32(0.5), np.array([0.5, 0.7])])
def test_animator_add_takes_what_the_book_passes(y: object) -> None:
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 10], legend=["a", "b", "c"])
    animator.add(1, y)
    animator.add(2, y)
    assert animator.X[0] == [1.0, 2.0] and all(len(xs) in (0, 2) for xs in animator.X)  # None skips a curve


def test_animator_add_with_one_x_per_curve() -> None:
    animator = d2l.Animator()
    animator.add([1, 2], [0.1, 0.2])
    assert animator.X == [[1.0], [2.0]]


def test_plot_takes_what_the_book_passes() -> None:
    x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
    y = torch.relu(x)
    d2l.plot(x.detach(), y.detach(), "x", "relu(x)", figsize=(5, 2.5))  # 4.1: two 1-D tensors, positional labels
    xs = np.arange(0, 3, 0.1)
    d2l.plot(xs, [xs**2, 2 * xs - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"])  # 2.4: numpy arrays
    d2l.plot(xs, [torch.tensor(xs**2), torch.tensor(xs)], xlim=[0, 3])  # a list of tensors, xlim as a list
    d2l.plot(list(range(1, 6)), [[1.0, 0.5, 0.3, 0.2, 0.1], [1.2, 0.7, 0.5, 0.45, 0.4]], xlabel="epoch",
             ylabel="rmse", xlim=[1, 5], legend=["train", "valid"], yscale="log")  # 4.10: plain lists
    d2l.plot(torch.arange(5.0))  # a single tensor: plotted against its index
    lines = d2l.plt.gca().get_lines()
    assert len(lines) == 1 and lines[0].get_ydata().tolist() == [0, 1, 2, 3, 4]


def test_show_images_with_a_tensor_batch_returns_axes() -> None:
    axes = d2l.show_images(torch.rand(18, 28, 28), 2, 9, titles=[str(i) for i in range(18)])
    assert len(axes) == 18 and axes[17].get_title() == "17"


def test_download_with_the_books_cache_dir_argument(monkeypatch, tmp_path: Path, http_root) -> None:
    import hashlib

    root, base = http_root
    (root / "toy.csv").write_bytes(b"x,y\n")
    monkeypatch.setitem(d2l.DATA_HUB, "toy", (base + "toy.csv", hashlib.sha1(b"x,y\n").hexdigest()))
    path = d2l.download("toy", cache_dir=str(tmp_path / "data"))  # the book: cache_dir=os.path.join('..', 'data')
    assert path == str(tmp_path / "data" / "toy.csv")


def test_3_6_evaluate_accuracy_on_a_plain_function_net() -> None:
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)

    def net(X: torch.Tensor) -> torch.Tensor:
        return torch.softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b, dim=1)

    data = [(torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3]))]
    assert 0.0 <= d2l.evaluate_accuracy(net, data) <= 1.0


def test_3_6_accuracy_on_the_books_example() -> None:
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert d2l.accuracy(y_hat, y) / len(y) == 0.5


def test_3_6_train_ch3_with_a_scratch_updater_and_a_per_example_loss(no_smoke) -> None:
    torch.manual_seed(0)
    X = torch.randn(200, 1, 2, 2)
    y = (X.reshape(200, -1).sum(1) > 0).long()
    W = torch.normal(0, 0.01, size=(4, 2), requires_grad=True)
    b = torch.zeros(2, requires_grad=True)

    def net(X: torch.Tensor) -> torch.Tensor:
        return torch.softmax(X.reshape((-1, 4)) @ W + b, dim=1)

    def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return -torch.log(y_hat[range(len(y_hat)), y])

    def updater(batch_size: int) -> None:
        return d2l.sgd([W, b], 0.5, batch_size)

    data = d2l.load_array((X, y), 20)
    d2l.train_ch3(net, data, data, cross_entropy, 5, updater)
    assert d2l.evaluate_accuracy(net, data) > 0.9


def test_accumulator_timer_and_try_gpu_as_the_book_uses_them() -> None:
    metric = d2l.Accumulator(2)
    metric.add(torch.tensor(3.0), 4)  # the book adds tensors and ints
    metric.add(1, torch.tensor(2).numel())
    assert (metric[0], metric[1]) == (4.0, 5.0)
    timer = d2l.Timer()
    assert f"{timer.stop():.5f} sec".endswith("sec") and len(timer.cumsum()) == 1
    assert d2l.try_gpu(10).type in {"cpu", "mps"} or torch.cuda.device_count() > 10
    assert d2l.get_dataloader_workers() == 0


def test_4_10_download_extract_returns_a_folder_like_the_book(offline_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("D2L_DATA_DIR", str(offline_data))
    folder = d2l.download_extract("fra-eng")
    assert Path(folder).name == "fra-eng" and (Path(folder) / "fra.txt").is_file()


def test_6_2_and_6_4_book_code_on_d2l_corr2d() -> None:
    class Conv2D(nn.Module):
        def __init__(self, kernel_size):
            super().__init__()
            self.weight = nn.Parameter(torch.rand(kernel_size))
            self.bias = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return d2l.corr2d(x, self.weight) + self.bias

    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = d2l.corr2d(X, K)
    assert Y[:, 1].tolist() == [1.0] * 6 and Y[:, 5].tolist() == [-1.0] * 6
    assert d2l.corr2d(X.t(), K).abs().sum() == 0  # the book's point: this kernel sees vertical edges only
    assert Conv2D(kernel_size=(1, 2))(X).shape == (6, 7)

    def corr2d_multi_in(X, K):
        return sum(d2l.corr2d(x, k) for x, k in zip(X, K))

    X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                      [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
    K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    assert corr2d_multi_in(X, K).tolist() == [[56.0, 72.0], [104.0, 120.0]]


def test_6_6_book_lenet_through_train_ch6(monkeypatch) -> None:
    """The book's 6.6 code, unchanged, in smoke mode (a few batches, two epochs)."""
    monkeypatch.setenv("D2L_SMOKE", "1")
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
    for layer in net:
        X = layer(X)
    assert X.shape == (1, 10)
    batch_size = 256
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)
    lr, num_epochs = 0.9, 10
    d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
    assert 0.0 <= d2l.evaluate_accuracy_gpu(net, test_iter) <= 1.0
