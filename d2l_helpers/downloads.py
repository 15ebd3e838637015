"""Checksum-verified downloads into the data cache, and the book's dataset registry ``DATA_HUB``.

Every file is checked against its known digest before it is used; a download is written to a
temporary file beside its target and renamed into place only once verified, so parallel
notebook runs never see half a file. Introduced in 04_10_kaggle_house_price.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from .settings import data_dir

__all__ = ["DATA_URL", "DATA_HUB", "ChecksumError", "DataNotFoundError", "fetch", "download", "download_extract"]

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"

# name -> (url, sha1), as in the d2l book.
DATA_HUB: dict[str, tuple[str, str]] = {
    "kaggle_house_train": (DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
    "kaggle_house_test": (DATA_URL + "kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
    "time_machine": (DATA_URL + "timemachine.txt", "090b5e7e70c295757f55df93cb0a180b9691891a"),
    "fra-eng": (DATA_URL + "fra-eng.zip", "94646ad1522d915e7b0f9296181140edcf86a4f5"),
}

ARCHIVE_EXTS = (".zip", ".tar", ".gz")  # what download_extract can unpack
MANIFEST = ".d2l-manifest.json"  # inside an unpacked folder: sha1 of each file extracted from the verified archive
# Unpacked folders accepted without a manifest (e.g. an offline copy): file -> sha1, per DATA_HUB name.
KNOWN_UNPACKED: dict[str, dict[str, str]] = {
    "fra-eng": {"fra.txt": "1a9f67f6c5f001e892cb4389116e0925b6d1fe46"},  # the offline copy's 5,213 pairs
}
TIMEOUT_S = 60
_CHUNK = 1 << 20


class ChecksumError(RuntimeError):
    """A cached or downloaded file does not match its published checksum; it is never loaded."""


class DataNotFoundError(FileNotFoundError):
    """A dataset file is missing from the cache and could not be downloaded."""


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of a file (``algorithm`` as in hashlib: 'sha1', 'md5', ...)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _mismatch(path: Path, checksum: str, algorithm: str, gunzip_sha256: str | None) -> str | None:
    """None if the file is intact, else its actual digest."""
    actual = file_digest(path, algorithm)
    if actual == checksum:
        return None
    if gunzip_sha256 is not None and _gunzip_sha256(path) == gunzip_sha256:
        return None  # same content, compressed differently (e.g. Debian's package): accept it
    return actual


def _gunzip_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
    except (OSError, EOFError, zlib.error):  # not gzip, truncated, or corrupt inside (bad CRC, flipped bytes)
        return None
    return h.hexdigest()


def _install(source: str, target: Path, check: Callable[[Path], str | None], dataset: str, algorithm: str) -> None:
    """Copy ``source`` (URL or local file) to a temporary file beside ``target``, verify it, rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if "://" in source:
                print(f"Downloading {target.name} from {source} ...", file=sys.stderr)
                request = urllib.request.Request(source, headers={"User-Agent": "d2l-course"})
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    shutil.copyfileobj(response, out, _CHUNK)
            else:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, out, _CHUNK)
        actual = check(tmp)
        if actual is not None:
            raise ChecksumError(
                f"{target.name} of dataset '{dataset}' fetched from {source} is corrupt or incomplete: its "
                f"{algorithm} is {actual}, not the published one. Nothing was saved; try again later or use "
                "an offline copy (D2L_DATA_DIR).")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(
    path: Path,
    urls: Sequence[str],
    checksum: str,
    algorithm: str,
    dataset: str,
    hints: Sequence[str] = (),
    gunzip_sha256: str | None = None,
) -> Path:
    """Return ``path`` once it holds the verified file: check a cached copy, else fetch it from the first source.

    ``urls`` may also name local files (no ``://``), tried in order; ``gunzip_sha256`` additionally accepts a
    gzip file whose decompressed content has that SHA-256 (the same data compressed differently).
    """
    def check(p: Path) -> str | None:
        return _mismatch(p, checksum, algorithm, gunzip_sha256)

    if path.exists():
        actual = check(path)
        if actual is not None:
            raise ChecksumError(
                f"{path.name} of dataset '{dataset}' is corrupt or incomplete: its {algorithm} is {actual}, "
                f"expected {checksum} (file: {path}). It was not loaded. Delete the file and run `make data` "
                "again, or copy an intact offline copy into the data cache.")
        return path
    errors = []
    for source in urls:
        if "://" not in source and not os.path.exists(source):
            continue
        try:
            _install(source, path, check, dataset, algorithm)
            return path
        except OSError as e:  # URLError, timeouts, refused connections, full disks
            errors.append(f"{source}: {getattr(e, 'reason', e)}")
    fixes = [
        "with internet access, run `make data` (or just run the notebook again) to download it into the cache;",
        "set D2L_DATA_DIR to a folder that already holds the course data in the cache layout "
        f"(now {os.environ.get('D2L_DATA_DIR') or 'unset, so the default cache is used'});",
        *hints,
    ]
    raise DataNotFoundError(
        f"dataset '{dataset}': {path.name} is not in the data cache and could not be downloaded.\n"
        f"  looked for: {path}\n  download errors: {'; '.join(errors) or 'no download address'}\n"
        "How to fix it:\n" + "\n".join(f"  - {f}" for f in fixes))


def _hub_entry(name: str) -> tuple[str, str]:
    if name not in DATA_HUB:
        raise ValueError(f"unknown dataset '{name}'; DATA_HUB knows: {', '.join(sorted(DATA_HUB))}. "
                         "Register a new one as DATA_HUB[name] = (url, sha1).")
    return DATA_HUB[name]


def download(name: str, cache_dir: str | os.PathLike[str] | None = None) -> str:
    """Return the local path of DATA_HUB file ``name``, downloading and SHA-1-checking it if needed; 04_10."""
    url, sha1 = _hub_entry(name)
    root = Path(cache_dir) if cache_dir is not None else data_dir()
    return str(fetch(root / url.split("/")[-1], [url], sha1, "sha1", name))


def _folder_digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): file_digest(p, "sha1")
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def _check_unpacked(name: str, folder: Path) -> None:
    """Verify an unpacked folder against its manifest, or against ``KNOWN_UNPACKED``; raise ChecksumError if not."""
    manifest = folder / MANIFEST
    if manifest.exists():
        expected, origin = json.loads(manifest.read_text(encoding="utf-8")), f"its manifest {MANIFEST}"
    elif name in KNOWN_UNPACKED:
        expected, origin = KNOWN_UNPACKED[name], "the known offline copy"
    else:
        raise ChecksumError(
            f"the unpacked folder {folder} of dataset '{name}' has no manifest ({MANIFEST}), so its files cannot be "
            f"verified and were not loaded. Delete the folder and run the notebook or `make data` again to download "
            f"and unpack the verified archive.")
    for rel, sha1 in expected.items():
        path = folder / rel
        actual = file_digest(path, "sha1") if path.is_file() else "missing"
        if actual != sha1:
            raise ChecksumError(
                f"{rel} in the unpacked folder {folder} of dataset '{name}' is corrupt, incomplete or missing: its "
                f"sha1 is {actual}, expected {sha1} from {origin}. It was not loaded. Delete the folder {folder} "
                "and run `make data` again (or copy an intact offline copy into the data cache).")


def _extract(archive: Path, ext: str, dest: Path) -> None:
    if ext == ".zip":
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")


def download_extract(name: str, folder: str | None = None) -> str:
    """Download, verify and unpack a .zip/.tar/.gz archive of DATA_HUB; return the unpacked folder; 09_05.

    The unpacked files' SHA-1 sums go into a manifest in the folder and are checked whenever the folder is reused;
    a folder without a manifest is accepted only if its files match a known digest (``KNOWN_UNPACKED``).
    """
    url, _ = _hub_entry(name)
    root = data_dir()
    stem, ext = os.path.splitext(url.split("/")[-1])
    if ext not in ARCHIVE_EXTS:
        raise ValueError(f"dataset '{name}' is not an archive ({url}); use download('{name}') instead")
    unpacked = root / (folder if folder else stem)
    if unpacked.is_dir() and any(unpacked.iterdir()):
        _check_unpacked(name, unpacked)
        return str(unpacked)
    archive = Path(download(name))
    with tempfile.TemporaryDirectory(prefix=".extract-", dir=root) as tmp:
        _extract(archive, ext, Path(tmp))
        staged = Path(tmp) / unpacked.name
        if not staged.is_dir():
            raise ValueError(f"archive {archive.name} of dataset '{name}' has no top-level folder "
                             f"'{unpacked.name}'; pass folder= naming the folder it unpacks to")
        digests = _folder_digests(staged)
        (staged / MANIFEST).write_text(json.dumps(digests, indent=1), encoding="utf-8")
        if unpacked.is_dir() and not any(unpacked.iterdir()):
            unpacked.rmdir()  # an empty leftover would block the rename
        try:
            os.replace(staged, unpacked)  # the folder appears at once, with its manifest
        except OSError:
            if not unpacked.is_dir():  # not another process that unpacked it first
                raise
    _check_unpacked(name, unpacked)
    return str(unpacked)
