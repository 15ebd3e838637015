import pytest
import torch

import d2l_helpers as d2l


def test_synthetic_data_shapes_and_fit() -> None:
    torch.manual_seed(0)
    w, b = torch.tensor([2.0, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 1000)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    residual = y.squeeze(1) - (X @ w + b)
    assert abs(float(residual.std()) - 0.01) < 0.002  # the noise level documented: N(0, 0.01^2)


def test_load_array_visits_every_example_once() -> None:
    X = torch.arange(10).float().reshape(10, 1)
    y = torch.arange(10)
    torch.manual_seed(0)
    batches = list(d2l.load_array((X, y), batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    assert seen.tolist() != list(range(10))  # shuffled
    for Xb, yb in batches:
        assert torch.equal(Xb.squeeze(1).long(), yb)  # features stay paired with their labels


def test_load_array_in_order_for_evaluation() -> None:
    X = torch.arange(6).float()
    (Xb,), = [tuple(b) for b in d2l.load_array((X,), batch_size=6, is_train=False)]
    assert Xb.tolist() == [0, 1, 2, 3, 4, 5]


def test_shuffling_follows_the_torch_seed() -> None:
    X = torch.arange(100)
    torch.manual_seed(1)
    a = [b[0] for b in d2l.load_array((X,), 10)]
    torch.manual_seed(1)
    b = [b[0] for b in d2l.load_array((X,), 10)]
    assert all(torch.equal(p, q) for p, q in zip(a, b))


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"same length.*\[5, 4\]"):
        d2l.load_array((torch.zeros(5, 2), torch.zeros(4)), batch_size=2)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_batch_size_must_be_positive_int(bad: object) -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        d2l.load_array((torch.zeros(4),), batch_size=bad)  # type: ignore[arg-type]


def test_tensor_loader_cap_and_transform() -> None:
    loader = d2l.TensorLoader((torch.ones(100),), 10, transform=lambda b: (b[0] * 2,), max_batches=3)
    out = list(loader)
    assert len(loader) == 3 and len(out) == 3
    assert all(torch.equal(b[0], torch.full((10,), 2.0)) for b in out)


@pytest.mark.parametrize("shape", [(2, 2), (1, 2), (2, 1, 1), ()])
def test_synthetic_data_rejects_other_weight_shapes(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"weight vector of shape \(n,\) or \(n, 1\)"):
        d2l.synthetic_data(torch.zeros(shape), 0.0, 10)
