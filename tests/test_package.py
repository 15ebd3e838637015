"""The package's public surface and its promise of no side effects at import."""

import os
import subprocess
import sys

import d2l_helpers as d2l

LECTURE_NAMES = [
    "use_svg_display", "set_figsize", "set_axes", "plot", "Timer", "synthetic_data", "load_array", "linreg",
    "squared_loss", "sgd", "get_fashion_mnist_labels", "show_images", "load_data_fashion_mnist", "accuracy",
    "evaluate_accuracy", "Accumulator", "Animator", "train_epoch_ch3", "train_ch3", "predict_ch3", "try_gpu",
    "try_all_gpus", "evaluate_loss", "DATA_HUB", "DATA_URL", "download", "download_extract",
]


def test_lecture_names_exist() -> None:
    missing = [n for n in LECTURE_NAMES if not hasattr(d2l, n)]
    assert missing == []
    assert set(d2l.__all__) >= set(LECTURE_NAMES)


def test_import_has_no_side_effects() -> None:
    code = (
        "import matplotlib, torch; rc = dict(matplotlib.rcParams); seed = torch.initial_seed()\n"
        "import d2l_helpers\n"
        "assert dict(matplotlib.rcParams) == rc, 'rcParams changed at import'\n"
        "assert torch.initial_seed() == seed, 'seed changed at import'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
