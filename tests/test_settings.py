from pathlib import Path

import pytest

import d2l_helpers as d2l
from d2l_helpers import settings


def test_data_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    assert d2l.data_dir() == tmp_path


def test_default_data_dir_is_in_user_cache_not_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert d2l.data_dir() == tmp_path / "d2l-course"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert d2l.data_dir() == Path.home() / ".cache" / "d2l-course"


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)])
def test_smoke_mode_parsing(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("D2L_SMOKE", value)
    assert d2l.smoke_mode() is expected


def test_caps_only_in_smoke_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SMOKE", "1")
    assert settings.cap_epochs(10) == settings.SMOKE_MAX_EPOCHS
    assert settings.cap_epochs(1) == 1
    assert settings.cap_batches() == settings.SMOKE_MAX_BATCHES
    monkeypatch.setenv("D2L_SMOKE", "0")
    assert settings.cap_epochs(10) == 10
    assert settings.cap_batches() is None


def test_cap_seconds_caps_a_time_budget_only_in_smoke_mode(monkeypatch) -> None:
    from d2l_helpers.settings import SMOKE_MAX_SECONDS, cap_seconds

    monkeypatch.setenv("D2L_SMOKE", "1")
    assert cap_seconds(60) == SMOKE_MAX_SECONDS and cap_seconds(0.5) == 0.5
    monkeypatch.delenv("D2L_SMOKE")
    assert cap_seconds(60) == 60
