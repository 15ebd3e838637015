"""``python -m d2l_helpers``: fetch every course dataset into the data cache (what ``make data`` runs)."""

from __future__ import annotations

import sys

from .downloads import ARCHIVE_EXTS, DATA_HUB, ChecksumError, DataNotFoundError, download, download_extract
from .fashion_mnist import FILES, fashion_mnist_file
from .settings import data_dir


def main() -> int:
    """Fetch and verify all datasets; return a process exit status."""
    print(f"Data cache: {data_dir()}")
    jobs = [(f"Fashion-MNIST {f}", lambda f=f: fashion_mnist_file(f)) for f in FILES]
    for name, (url, _) in DATA_HUB.items():
        fetch_one = download_extract if url.endswith(ARCHIVE_EXTS) else download
        jobs.append((name, lambda n=name, g=fetch_one: g(n)))
    failed = 0
    for label, job in jobs:
        try:
            job()
            print(f"  ok  {label}")
        except (DataNotFoundError, ChecksumError) as e:
            failed += 1
            print(f"  FAILED  {label}\n{e}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
