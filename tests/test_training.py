import copy

import pytest
import torch
from torch import nn

import d2l_helpers as d2l


def _toy_classification(n: int = 200) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 2, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long()  # linearly separable, 2 classes
    return list(d2l.load_array((X, y), batch_size=20, is_train=False))


def test_scratch_updater_with_per_example_loss_equals_optimizer_with_mean_loss() -> None:
    data = _toy_classification()
    torch.manual_seed(0)
    net_a = nn.Linear(2, 2)
    net_b = copy.deepcopy(net_a)
    params = list(net_a.parameters())
    loss_a, acc_a = d2l.train_epoch_ch3(net_a, data, nn.CrossEntropyLoss(reduction="none"),
                                        lambda batch_size: d2l.sgd(params, 0.5, batch_size))
    loss_b, acc_b = d2l.train_epoch_ch3(net_b, data, nn.CrossEntropyLoss(),
                                        torch.optim.SGD(net_b.parameters(), lr=0.5))
    assert loss_a == pytest.approx(loss_b) and acc_a == acc_b
    for p, q in zip(net_a.parameters(), net_b.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_summed_loss_is_reported_per_example() -> None:
    data = _toy_classification()
    torch.manual_seed(0)
    net = nn.Linear(2, 2)
    expected = d2l.evaluate_loss(net, data, nn.CrossEntropyLoss(reduction="none"))
    # lr 0 leaves the net unchanged, so the training loss equals the evaluation loss
    loss, _ = d2l.train_epoch(net, data, nn.CrossEntropyLoss(reduction="sum"), torch.optim.SGD(net.parameters(), 0))
    assert loss == pytest.approx(expected, rel=1e-5)


def test_train_ch3_learns_and_returns_metrics(no_smoke) -> None:
    data = _toy_classification()
    torch.manual_seed(0)
    net = nn.Linear(2, 2)
    result = d2l.train_ch3(net, data, data, nn.CrossEntropyLoss(reduction="none"), 5,
                           torch.optim.SGD(net.parameters(), lr=0.5))
    assert result.test_acc > 0.95 and result.train_loss < 0.3
    assert "test acc" in repr(result)


def test_smoke_mode_caps_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SMOKE", "1")
    epochs = []

    class Counting(list):
        def __iter__(self):
            epochs.append(1)
            return super().__iter__()

    data = Counting(_toy_classification())
    net = nn.Linear(2, 2)
    d2l.train_ch3(net, data, _toy_classification(), nn.CrossEntropyLoss(), 10, torch.optim.SGD(net.parameters(), 0.1))
    assert len(epochs) == 2


def test_bad_arguments() -> None:
    data = _toy_classification()
    net = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="updater must be a torch.optim optimizer or a function"):
        d2l.train_epoch_ch3(net, data, nn.CrossEntropyLoss(), 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_epochs must be a positive integer"):
        d2l.train_ch3(net, data, data, nn.CrossEntropyLoss(), 0, torch.optim.SGD(net.parameters(), 0.1))
    with pytest.raises(ValueError, match="yielded no batches"):
        d2l.train_epoch_ch3(net, [], nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), 0.1))


def test_predict_ch3_titles_true_and_predicted() -> None:
    X = torch.zeros(4, 1, 28, 28)
    y = torch.tensor([0, 1, 2, 3])
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    with torch.no_grad():
        net[1].weight.zero_()
        net[1].bias.copy_(torch.arange(10.0))  # always predicts class 9
    d2l.predict_ch3(net, [(X, y)], n=4)
    axes = d2l.plt.gcf().axes
    assert [a.get_title() for a in axes] == [f"{t}\nankle boot" for t in ("t-shirt", "trouser", "pullover", "dress")]
    d2l.plt.close("all")
