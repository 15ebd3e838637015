import pytest
import torch
from torch import nn

import d2l_helpers as d2l


def test_linreg_matches_nn_linear() -> None:
    torch.manual_seed(0)
    X, w, b = torch.randn(5, 3), torch.randn(3, 1), torch.randn(1)
    assert torch.allclose(d2l.linreg(X, w, b), nn.functional.linear(X, w.T, b))


def test_squared_loss_is_half_mse_per_example() -> None:
    y_hat = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([1.0, 0.0, 1.0])  # a flat label vector is reshaped to y_hat's shape
    assert d2l.squared_loss(y_hat, y).flatten().tolist() == [0.0, 2.0, 4.5]
    assert torch.isclose(d2l.squared_loss(y_hat, y).mean(), nn.MSELoss()(y_hat, y.reshape(-1, 1)) / 2)


def test_squared_loss_rejects_mismatched_sizes() -> None:
    with pytest.raises(ValueError, match="one prediction per label"):
        d2l.squared_loss(torch.zeros(3, 1), torch.zeros(4))


def test_sgd_equals_torch_sgd_on_summed_loss() -> None:
    torch.manual_seed(0)
    X, y = torch.randn(8, 3), torch.randn(8, 1)
    w1 = torch.randn(3, 1, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    d2l.squared_loss(X @ w1, y).sum().backward()
    d2l.sgd([w1], lr=0.1, batch_size=8)
    opt = torch.optim.SGD([w2], lr=0.1)
    d2l.squared_loss(X @ w2, y).mean().backward()
    opt.step()
    assert torch.allclose(w1, w2)
    assert torch.count_nonzero(w1.grad) == 0  # gradient zeroed for the next step


def test_sgd_errors() -> None:
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="no gradient"):
        d2l.sgd([w], 0.1, 4)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        d2l.sgd([w], 0.1, 0)
