"""Helpers for the course notebooks, named as in the d2l book: ``import d2l_helpers as d2l``.

Importing does nothing but define names: no seeding, no plot settings, no printing, no file access.
"""

from .attention import (
    AdditiveAttention,
    AttentionDecoder,
    DotProductAttention,
    MultiHeadAttention,
    masked_softmax,
    transpose_output,
    transpose_qkv,
)
from .cnn import Residual, corr2d, count_params_flops, pool2d
from .data import TensorLoader, get_dataloader_workers, load_array, synthetic_data
from .device import try_all_gpus, try_gpu
from .downloads import DATA_HUB, DATA_URL, ChecksumError, DataNotFoundError, download, download_extract
from .encoder_decoder import Decoder, Encoder, EncoderDecoder
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
from .plotting import Animator, plot, plt, set_axes, set_figsize, show_heatmaps, show_images, use_svg_display
from .progress import progress_bar
from .rnn import RNNModel, RNNModelScratch, grad_clipping, predict_ch8
from .scale import Scale, pick_scale
from .scratch import linreg, sgd, squared_loss
from .seq2seq import MaskedSoftmaxCELoss, Seq2SeqDecoder, Seq2SeqEncoder, sequence_mask
from .seq2seq_training import bleu, evaluate_bleu, predict_seq2seq, train_seq2seq
from .settings import cap_seconds, data_dir, smoke_mode
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
from .transformer import (
    AddNorm,
    DecoderBlock,
    EncoderBlock,
    PositionalEncoding,
    PositionWiseFFN,
    TransformerDecoder,
    TransformerEncoder,
    causal_valid_lens,
)
from .translation import (
    build_array_nmt,
    load_data_nmt,
    load_heldout_nmt,
    preprocess_nmt,
    read_data_nmt,
    show_list_len_pair_hist,
    tokenize_nmt,
    truncate_pad,
)

__all__ = [
    "Accumulator", "AddNorm", "AdditiveAttention", "Animator", "AttentionDecoder", "ChecksumError", "DATA_HUB",
    "DATA_URL", "DataNotFoundError", "Decoder", "DecoderBlock", "DotProductAttention", "Encoder", "EncoderBlock",
    "EncoderDecoder", "LMResult", "MaskedSoftmaxCELoss", "MultiHeadAttention", "PositionWiseFFN",
    "PositionalEncoding", "RNNModel", "RNNModelScratch", "Residual", "Scale", "Seq2SeqDecoder", "Seq2SeqEncoder",
    "SeqDataLoader", "TensorLoader", "Timer", "TrainResult", "TransformerDecoder", "TransformerEncoder", "Vocab",
    "accuracy", "bleu", "build_array_nmt", "cap_seconds", "causal_valid_lens", "corr2d", "count_corpus",
    "count_params_flops", "data_dir", "download", "download_extract", "evaluate_accuracy", "evaluate_accuracy_gpu",
    "evaluate_bleu", "evaluate_loss", "evaluate_perplexity", "get_dataloader_workers", "get_fashion_mnist_labels",
    "grad_clipping", "linreg", "load_array", "load_corpus_time_machine", "load_data_fashion_mnist", "load_data_nmt",
    "load_data_time_machine", "load_heldout_nmt", "load_heldout_time_machine", "masked_softmax", "pick_scale",
    "plot", "plt", "pool2d", "predict_ch3", "predict_ch8", "predict_seq2seq", "preprocess_nmt", "progress_bar",
    "read_data_nmt", "read_fashion_mnist", "read_time_machine", "run_batches", "run_epochs", "seq_data_iter_random",
    "seq_data_iter_sequential", "sequence_mask", "set_axes", "set_figsize", "sgd", "show_heatmaps", "show_images",
    "show_list_len_pair_hist", "smoke_mode", "squared_loss", "synthetic_data", "tokenize", "tokenize_nmt", "train",
    "train_ch3", "train_ch6", "train_ch8", "train_epoch", "train_epoch_ch3", "train_epoch_ch8", "train_seq2seq",
    "transpose_output", "transpose_qkv", "truncate_pad", "try_all_gpus", "try_gpu", "use_svg_display",
]
