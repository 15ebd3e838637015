import time

import pytest
import torch
from torch import nn

import d2l_helpers as d2l


def test_accuracy_counts_argmax_hits() -> None:
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.9, 0.05, 0.05]])
    y = torch.tensor([2, 0, 0])
    assert d2l.accuracy(y_hat, y) == 2.0


def test_accuracy_accepts_class_index_predictions() -> None:
    assert d2l.accuracy(torch.tensor([1, 2, 3]), torch.tensor([1, 0, 3])) == 2.0


def test_accuracy_rejects_float_labels() -> None:
    with pytest.raises(TypeError, match=r"integer tensor of class indices.*y\.long\(\)"):
        d2l.accuracy(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))


def test_accuracy_rejects_mismatched_batch() -> None:
    with pytest.raises(ValueError, match="3 rows but y has 2 labels"):
        d2l.accuracy(torch.zeros(3, 4), torch.tensor([0, 1]))


def test_accumulator() -> None:
    acc = d2l.Accumulator(2)
    acc.add(1, 2.5)
    acc.add(3, 0.5)
    assert (acc[0], acc[1]) == (4.0, 3.0)
    acc.reset()
    assert acc.data == [0.0, 0.0]
    with pytest.raises(ValueError, match="holds 2 sums but add"):
        acc.add(1)


def test_timer_records_intervals() -> None:
    timer = d2l.Timer()
    time.sleep(0.01)
    first = timer.stop()
    timer.start()
    second = timer.stop()
    assert first >= 0.01 and second >= 0
    assert timer.sum() == pytest.approx(first + second)
    assert timer.avg() == pytest.approx((first + second) / 2)
    assert timer.cumsum() == pytest.approx([first, first + second])


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    y = torch.tensor([0, 1, 1, 1, 0])
    return list(d2l.load_array((X, y), batch_size=2, is_train=False))


def test_evaluate_accuracy_restores_training_mode() -> None:
    net = nn.Sequential(nn.Dropout(0.5), nn.Identity())
    net.train()
    # identity "logits": class = argmax of the one-hot input; 4 of 5 labels match
    assert d2l.evaluate_accuracy(nn.Identity(), _batches()) == pytest.approx(0.8)
    d2l.evaluate_accuracy(net, _batches())
    assert net.training


def test_evaluate_accuracy_works_for_plain_functions() -> None:
    assert d2l.evaluate_accuracy(lambda X: X, _batches()) == pytest.approx(0.8)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_evaluate_loss_is_per_example_mean_for_any_reduction(reduction: str) -> None:
    X = torch.arange(5.0).reshape(5, 1)
    y = torch.zeros(5)
    data = list(d2l.load_array((X, y), batch_size=2, is_train=False))
    value = d2l.evaluate_loss(nn.Identity(), data, nn.MSELoss(reduction=reduction))
    assert value == pytest.approx((0 + 1 + 4 + 9 + 16) / 5)


def test_evaluate_on_empty_iterator_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty data iterator"):
        d2l.evaluate_accuracy(nn.Identity(), [])
