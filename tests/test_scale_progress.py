"""Book/laptop scale picking and the plain-text progress bar."""

from __future__ import annotations

import time

import pytest
import torch

import d2l_helpers as d2l
from d2l_helpers import progress

BOOK = dict(resize=224, batch_size=128, num_epochs=10, lr=0.01)
LAPTOP = dict(resize=28, batch_size=128, num_epochs=4, lr=0.05)


def test_pick_scale_follows_the_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("D2L_SCALE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    scale = d2l.pick_scale(book=BOOK, laptop=LAPTOP)
    assert scale.name == "laptop" and scale.resize == 28 and scale.lr == 0.05
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    scale = d2l.pick_scale(book=BOOK, laptop=LAPTOP)
    assert scale.name == "book" and scale.resize == 224 and scale.num_epochs == 10


@pytest.mark.parametrize("value,name", [("book", "book"), ("LAPTOP", "laptop"), (" book ", "book")])
def test_d2l_scale_overrides(monkeypatch: pytest.MonkeyPatch, value: str, name: str) -> None:
    monkeypatch.setenv("D2L_SCALE", value)
    assert d2l.pick_scale(BOOK, LAPTOP).name == name


def test_scale_text_shows_both_columns_and_the_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SCALE", "laptop")
    lines = repr(d2l.pick_scale(BOOK, LAPTOP)).splitlines()
    assert lines[0].split() == ["setting", "book", "laptop"]
    assert lines[1].split() == ["resize", "224", "28"]
    assert lines[-1] == "-> laptop settings (set by D2L_SCALE)"


def test_scale_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SCALE", "gpu")
    with pytest.raises(ValueError, match="D2L_SCALE must be 'book' or 'laptop'"):
        d2l.pick_scale(BOOK, LAPTOP)
    monkeypatch.delenv("D2L_SCALE")
    with pytest.raises(ValueError, match=r"only in one of them: \['lr'\]"):
        d2l.pick_scale(BOOK, {k: v for k, v in LAPTOP.items() if k != "lr"})
    with pytest.raises(AttributeError, match="no setting named 'epochs'; the settings are resize, batch_size"):
        d2l.pick_scale(BOOK, LAPTOP).epochs  # noqa: B018


def test_notebook_progress_is_one_plain_text_output_updated_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython import display

    shown: list[dict] = []

    class Handle:
        def update(self, obj: dict, raw: bool) -> None:
            shown.append(obj)

    def fake_display(obj: dict, raw: bool, display_id: bool) -> Handle:
        assert raw and display_id
        shown.append(obj)
        return Handle()

    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    monkeypatch.setattr(display, "display", fake_display)
    with progress.progress_bar(total=4, desc="epoch 1/2") as bar:
        for _ in range(4):
            time.sleep(0.01)
            bar.update()
    assert shown and all(set(o) == {"text/plain"} for o in shown)
    final = shown[-1]["text/plain"]
    assert final.startswith("epoch 1/2: 100%") and "4/4" in final
    assert not any("\r" in o["text/plain"] or "\x1b" in o["text/plain"] for o in shown)  # no terminal codes


def test_short_runs_and_non_terminals_show_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.progress_bar(total=3) as bar:  # stderr is captured (not a terminal): no bar
        for _ in range(3):
            bar.update()
    assert capsys.readouterr().err == ""


def test_run_epochs_drives_progress_over_all_epochs(monkeypatch: pytest.MonkeyPatch, no_smoke) -> None:
    seen: list[str] = []

    def epoch(i: int, bar) -> tuple[float]:
        seen.append(bar.desc)
        d2l.run_batches(range(5), lambda b: (1.0, 1), 2, bar)
        return (float(i),)

    assert d2l.run_epochs(3, epoch, batches_per_epoch=5, legend=["x"]) == (2.0,)
    assert seen == ["epoch 1/3: ", "epoch 2/3: ", "epoch 3/3: "]  # tqdm appends ": " to a description


def test_run_epochs_evaluates_and_plots_every_few_epochs_and_after_the_last(no_smoke) -> None:
    evaluated: list[int] = []
    epochs = iter(range(1, 100))

    def evaluate() -> tuple[float]:
        evaluated.append(len(evaluated))
        return (-1.0,)

    values = d2l.run_epochs(7, lambda i, bar: (float(next(epochs)),), batches_per_epoch=None, legend=["a", "b"],
                            evaluate=evaluate, plot_every=3)
    assert values == (7.0, -1.0) and len(evaluated) == 3  # after epochs 3, 6 and 7
    with pytest.raises(ValueError, match="plot_every must be a positive integer"):
        d2l.run_epochs(2, lambda i, bar: (0.0,), batches_per_epoch=None, legend=["a"], plot_every=0)
