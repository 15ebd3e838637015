"""Helpers for the course notebooks, named as in the d2l book: ``import d2l_helpers as d2l``.

Importing does nothing but define names: no seeding, no plot settings, no printing, no file access.
"""

from .cnn import Residual, corr2d, count_params_flops, pool2d
from .data import TensorLoader, get_dataloader_workers, load_array, synthetic_data
from .device import try_all_gpus, try_gpu
from .downloads import DATA_HUB, DATA_URL, ChecksumError, DataNotFoundError, download, download_extract
from .fashion_mnist import get_fashion_mnist_labels, load_data_fashion_mnist, read_fashion_mnist
from .lm_data import (
    SeqDataLoader,
    load_data_time_machine,
    load_heldout_time_machine,
    seq_data_iter_random,
    seq_data_iter_sequential,
)
from .lm_training import LMResult, evaluate_perplexity, train_ch8, train_epoch_ch8
from .metrics import Accumulator, Timer, accuracy, evaluate_accuracy, evaluate_loss
from .plotting import Animator, plot, plt, set_axes, set_figsize, show_images, use_svg_display
from .progress import progress_bar
from .rnn import RNNModel, RNNModelScratch, grad_clipping, predict_ch8
from .scale import Scale, pick_scale
from .scratch import linreg, sgd, squared_loss
from .settings import data_dir, smoke_mode
from .text import Vocab, count_corpus, load_corpus_time_machine, read_time_machine, tokenize
from .training import (
    TrainResult,
    evaluate_accuracy_gpu,
    predict_ch3,
    run_batches,
    run_epochs,
    train,
    train_ch3,
    train_ch6,
    train_epoch,
    train_epoch_ch3,
)

__all__ = [
    "Accumulator", "Animator", "ChecksumError", "DATA_HUB", "DATA_URL", "DataNotFoundError", "LMResult", "RNNModel",
    "RNNModelScratch", "Residual", "Scale", "SeqDataLoader", "TensorLoader", "Timer", "TrainResult", "Vocab",
    "accuracy", "corr2d", "count_corpus", "count_params_flops", "data_dir", "download", "download_extract",
    "evaluate_accuracy", "evaluate_accuracy_gpu", "evaluate_loss", "evaluate_perplexity", "get_dataloader_workers",
    "get_fashion_mnist_labels", "grad_clipping", "linreg", "load_array", "load_corpus_time_machine",
    "load_data_fashion_mnist", "load_data_time_machine", "load_heldout_time_machine", "pick_scale", "plot", "plt",
    "pool2d", "predict_ch3", "predict_ch8", "progress_bar", "read_fashion_mnist", "read_time_machine",
    "run_batches", "run_epochs", "seq_data_iter_random", "seq_data_iter_sequential", "set_axes", "set_figsize",
    "sgd", "show_images", "smoke_mode", "squared_loss", "synthetic_data", "tokenize", "train", "train_ch3",
    "train_ch6", "train_ch8", "train_epoch", "train_epoch_ch3", "train_epoch_ch8", "try_all_gpus", "try_gpu",
    "use_svg_display",
]
