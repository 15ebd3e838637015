import matplotlib
import pytest
import torch

import d2l_helpers as d2l


@pytest.fixture(autouse=True)
def _restore_rcparams():  # set_figsize changes rcParams on purpose; keep tests independent
    with matplotlib.rc_context():
        yield
    d2l.plt.close("all")


def test_plot_several_curves_with_labels() -> None:
    x = torch.arange(0, 3, 0.5)
    fig, ax = d2l.plt.subplots()
    d2l.plot(x, [x**2, 2 * x], "x", "f(x)", legend=["x^2", "2x"], axes=ax)
    lines = ax.get_lines()
    assert len(lines) == 2
    assert lines[0].get_ydata().tolist() == (x**2).tolist()
    assert ax.get_xlabel() == "x" and [t.get_text() for t in ax.get_legend().get_texts()] == ["x^2", "2x"]


def test_plot_y_only_uses_indices() -> None:
    fig, ax = d2l.plt.subplots()
    d2l.plot([3.0, 1.0, 2.0], axes=ax)
    assert ax.get_lines()[0].get_xdata().tolist() == [0, 1, 2]


def test_set_figsize() -> None:
    d2l.set_figsize((5, 2))
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (5, 2)


def test_show_images_grid_and_titles() -> None:
    axes = d2l.show_images(torch.rand(5, 4, 4), 2, 3, titles=list("abcde"))
    assert len(axes) == 6
    assert [a.get_title() for a in axes[:5]] == list("abcde")
    with pytest.raises(ValueError, match="num_rows and num_cols >= 1"):
        d2l.show_images([], 0, 3)


def test_animator_collects_points_and_skips_none() -> None:
    anim = d2l.Animator(legend=["a", "b"], xlim=(1, 3))
    anim.add(1, (0.5, None))
    anim.add(2, (0.4, 0.9))
    assert anim.X == [[1.0, 2.0], [2.0]] and anim.Y == [[0.5, 0.4], [0.9]]
    assert len(anim.axes[0].get_lines()) == 2
