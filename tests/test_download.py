import hashlib
import json
import zipfile
from pathlib import Path

import pytest

import d2l_helpers as d2l

from .conftest import unreachable_url


def _register(monkeypatch: pytest.MonkeyPatch, name: str, url: str, content: bytes) -> str:
    sha1 = hashlib.sha1(content).hexdigest()
    monkeypatch.setitem(d2l.DATA_HUB, name, (url, sha1))
    return sha1


def test_download_fetches_verifies_and_caches(monkeypatch, empty_cache: Path, http_root) -> None:
    root, base = http_root
    (root / "toy.csv").write_bytes(b"a,b\n1,2\n")
    _register(monkeypatch, "toy", base + "toy.csv", b"a,b\n1,2\n")
    path = Path(d2l.download("toy"))
    assert path == empty_cache / "toy.csv" and path.read_bytes() == b"a,b\n1,2\n"
    (root / "toy.csv").unlink()  # a second call is served from the cache
    assert Path(d2l.download("toy")) == path
    assert not list(empty_cache.glob(".*part"))  # no temporary files left behind


def test_download_into_explicit_cache_dir(monkeypatch, tmp_path: Path, http_root) -> None:
    root, base = http_root
    (root / "x.txt").write_bytes(b"x")
    _register(monkeypatch, "x", base + "x.txt", b"x")
    assert Path(d2l.download("x", cache_dir=tmp_path / "elsewhere")).read_bytes() == b"x"


def test_download_with_wrong_checksum_leaves_nothing(monkeypatch, empty_cache: Path, http_root) -> None:
    root, base = http_root
    (root / "toy.csv").write_bytes(b"tampered")
    _register(monkeypatch, "toy", base + "toy.csv", b"original")
    with pytest.raises(d2l.ChecksumError, match=r"toy\.csv of dataset .toy. fetched from .*Nothing was saved"):
        d2l.download("toy")
    assert list(empty_cache.iterdir()) == []


def test_corrupt_cached_file_is_never_loaded(monkeypatch, empty_cache: Path) -> None:
    _register(monkeypatch, "toy", unreachable_url() + "toy.csv", b"good content")
    (empty_cache / "toy.csv").write_bytes(b"bad content")
    with pytest.raises(d2l.ChecksumError, match=r"sha1 is .* expected .*It was not loaded"):
        d2l.download("toy")


def test_unreachable_download_explains_how_to_fix(monkeypatch, empty_cache: Path) -> None:
    _register(monkeypatch, "toy", unreachable_url() + "toy.csv", b"data")
    with pytest.raises(d2l.DataNotFoundError) as info:
        d2l.download("toy")
    message = str(info.value)
    assert "dataset 'toy'" in message and str(empty_cache / "toy.csv") in message
    assert "make data" in message and "D2L_DATA_DIR" in message
    assert isinstance(info.value, FileNotFoundError)


def test_unknown_dataset_lists_known_names() -> None:
    with pytest.raises(ValueError, match=r"unknown dataset 'kaggle'.*kaggle_house_train"):
        d2l.download("kaggle")


def test_download_extract_unpacks_zip_atomically(monkeypatch, empty_cache: Path, http_root) -> None:
    root, base = http_root
    with zipfile.ZipFile(root / "pairs.zip", "w") as zf:
        zf.writestr("pairs/data.txt", "hello\tbonjour\n")
    _register(monkeypatch, "pairs", base + "pairs.zip", (root / "pairs.zip").read_bytes())
    folder = Path(d2l.download_extract("pairs"))
    assert folder == empty_cache / "pairs"
    assert (folder / "data.txt").read_text() == "hello\tbonjour\n"
    assert not list(empty_cache.glob(".extract-*"))


def _zip_pairs(monkeypatch: pytest.MonkeyPatch, root: Path, base: str, text: str = "hello\tbonjour\n") -> None:
    with zipfile.ZipFile(root / "pairs.zip", "w") as zf:
        zf.writestr("pairs/data.txt", text)
    _register(monkeypatch, "pairs", base + "pairs.zip", (root / "pairs.zip").read_bytes())


def test_download_extract_records_a_manifest_and_checks_it_on_reuse(monkeypatch, empty_cache: Path,
                                                                     http_root) -> None:
    root, base = http_root
    _zip_pairs(monkeypatch, root, base)
    folder = Path(d2l.download_extract("pairs"))
    manifest = json.loads((folder / ".d2l-manifest.json").read_text())
    assert manifest == {"data.txt": hashlib.sha1(b"hello\tbonjour\n").hexdigest()}
    assert Path(d2l.download_extract("pairs")) == folder  # intact: reused without downloading again
    (folder / "data.txt").write_text("hello\tbon")  # truncated after unpacking
    with pytest.raises(d2l.ChecksumError, match=r"data\.txt in the unpacked folder .*not loaded.*Delete the folder"):
        d2l.download_extract("pairs")
    (folder / "data.txt").unlink()
    with pytest.raises(d2l.ChecksumError, match="missing"):
        d2l.download_extract("pairs")


def test_download_extract_rejects_an_unpacked_folder_it_cannot_verify(monkeypatch, empty_cache: Path) -> None:
    _register(monkeypatch, "pairs", unreachable_url() + "pairs.zip", b"never fetched")
    (empty_cache / "pairs").mkdir()
    (empty_cache / "pairs" / "data.txt").write_text("ok")
    with pytest.raises(d2l.ChecksumError, match=r"has no manifest .*Delete the folder"):
        d2l.download_extract("pairs")


def test_download_extract_replaces_an_empty_leftover_folder(monkeypatch, empty_cache: Path, http_root) -> None:
    root, base = http_root
    _zip_pairs(monkeypatch, root, base)
    (empty_cache / "pairs").mkdir()
    assert (Path(d2l.download_extract("pairs")) / "data.txt").read_text() == "hello\tbonjour\n"


def _offline_fra_eng(cache: Path, text: bytes) -> None:
    (cache / "fra-eng").mkdir()
    (cache / "fra-eng" / "fra.txt").write_bytes(text)


def test_offline_fra_eng_without_manifest_is_accepted_only_if_intact(empty_cache: Path, offline_data: Path) -> None:
    good = (offline_data / "fra-eng" / "fra.txt").read_bytes()
    _offline_fra_eng(empty_cache, good)
    assert Path(d2l.download_extract("fra-eng")) == empty_cache / "fra-eng"
    (empty_cache / "fra-eng" / "fra.txt").write_bytes(good[: len(good) // 2])  # a truncated copy
    with pytest.raises(d2l.ChecksumError, match=r"fra\.txt in the unpacked folder .*known offline copy"):
        d2l.download_extract("fra-eng")


def test_download_extract_rejects_plain_files() -> None:
    with pytest.raises(ValueError, match="not an archive"):
        d2l.download_extract("kaggle_house_train")


def test_registry_matches_the_book() -> None:
    assert d2l.DATA_HUB["kaggle_house_train"] == (
        d2l.DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce")


def test_course_files_in_cache_verify(no_smoke) -> None:
    """The configured cache (CI: a copy of the offline data) passes every checksum."""
    for name in ("kaggle_house_train", "kaggle_house_test", "time_machine"):
        assert Path(d2l.download(name)).stat().st_size > 100_000
    assert (Path(d2l.download_extract("fra-eng")) / "fra.txt").exists()
