"""Time the book's chapter-8/9 training through d2l_helpers and through d2l 0.17.6, in one run.

Three workloads, each with the same model, seed and settings on both sides: the scratch RNN of 8.5 and the
``nn.RNN`` model of 8.6 (``train_ch8``: batch 32, 35 steps, 512 hidden, lr 1) and the seq2seq model of 9.7
(``train_seq2seq``: batch 64, 10 steps, 2-layer GRU with 32 hidden, lr 0.005). Prints each wall time, each
final perplexity or loss and the ratio. The book's package is installed into a temporary folder with
``pip install --no-deps --target`` (or taken from ``--book-dir``); it reads the same verified files from the
data cache as ``../data``. Offline, the book's ``download_extract('fra-eng')`` cannot fetch the zip, so it is
pointed at the same unpacked folder the course uses.

    .venv/bin/python benchmarks/rnn_seq2seq.py [--epochs 20] [--s2s-epochs 30] [--book-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from lenet_train_ch6 import install_book  # noqa: I001  (run from the benchmarks folder or with it on the path)
from torch import nn

import d2l_helpers as d2l


def scratch_rnn(lib: Any, vocab_size: int) -> Any:
    """8.5's RNN from plain tensors, built with ``lib.RNNModelScratch``."""

    def get_params(vocab_size: int, num_hiddens: int, device: Any) -> list[torch.Tensor]:
        params = [torch.randn(vocab_size, num_hiddens) * 0.01, torch.randn(num_hiddens, num_hiddens) * 0.01,
                  torch.zeros(num_hiddens), torch.randn(num_hiddens, vocab_size) * 0.01, torch.zeros(vocab_size)]
        return [p.to(device).requires_grad_(True) for p in params]

    def init_state(batch_size: int, num_hiddens: int, device: Any) -> tuple[torch.Tensor]:
        return (torch.zeros((batch_size, num_hiddens), device=device),)

    def rnn(inputs: torch.Tensor, state: tuple[torch.Tensor], params: list[torch.Tensor]) -> Any:
        W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
            outputs.append(torch.mm(H, W_hq) + b_q)
        return torch.cat(outputs, dim=0), (H,)

    return lib.RNNModelScratch(vocab_size, 512, torch.device("cpu"), get_params, init_state, rnn)


def seq2seq(lib: Any, src_vocab: Any, tgt_vocab: Any) -> nn.Module:
    """9.7's model: each library's own encoder and decoder classes, embed 32, hidden 32, 2 layers, dropout 0.1."""
    decoder_class = getattr(lib, "Seq2SeqDecoder", None) or book_decoder(lib)
    return lib.EncoderDecoder(lib.Seq2SeqEncoder(len(src_vocab), 32, 32, 2, 0.1),
                              decoder_class(len(tgt_vocab), 32, 32, 2, 0.1))


def book_decoder(lib: Any) -> type:
    """9.7's decoder as the book's notebook defines it (d2l 0.17.6 does not export one)."""

    class Seq2SeqDecoder(lib.Decoder):
        def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_size)
            self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
            self.dense = nn.Linear(num_hiddens, vocab_size)

        def init_state(self, enc_outputs: Any, *args: Any) -> torch.Tensor:
            return enc_outputs[1]

        def forward(self, X: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            X = self.embedding(X).permute(1, 0, 2)
            context = state[-1].repeat(X.shape[0], 1, 1)
            output, state = self.rnn(torch.cat((X, context), 2), state)
            return self.dense(output).permute(1, 0, 2), state

    return Seq2SeqDecoder


def timed(run: Callable[[], None]) -> tuple[float, str]:
    torch.manual_seed(0)
    random.seed(0)
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):  # the book's Animator prints figures outside a notebook
        run()
    seconds = time.perf_counter() - start
    found = re.findall(r"(perplexity|loss) ([\d.]+),", out.getvalue())
    return seconds, f"{found[-1][0]} {found[-1][1]}" if found else "?"


def per_token(book_loss: str, num_steps: int = 10) -> str:
    """The book's printed seq2seq loss is the per-token loss divided by num_steps: undo that to compare."""
    kind, value = book_loss.split()
    return f"{kind} {float(value) * num_steps:.3f} per token" if kind == "loss" else book_loss


def workloads(lib: Any, epochs: int, s2s_epochs: int) -> dict[str, Callable[[], None]]:
    def rnn_scratch() -> None:
        train_iter, vocab = lib.load_data_time_machine(32, 35)
        lib.train_ch8(scratch_rnn(lib, len(vocab)), train_iter, vocab, 1, epochs, torch.device("cpu"))

    def rnn_concise() -> None:
        train_iter, vocab = lib.load_data_time_machine(32, 35)
        net = lib.RNNModel(nn.RNN(len(vocab), 512), vocab_size=len(vocab))
        lib.train_ch8(net, train_iter, vocab, 1, epochs, torch.device("cpu"))

    def s2s() -> None:
        train_iter, src_vocab, tgt_vocab = lib.load_data_nmt(64, 10)
        lib.train_seq2seq(seq2seq(lib, src_vocab, tgt_vocab), train_iter, 0.005, s2s_epochs, tgt_vocab,
                          torch.device("cpu"))

    return {f"8.5 scratch RNN, {epochs} epochs": rnn_scratch, f"8.6 nn.RNN, {epochs} epochs": rnn_concise,
            f"9.7 seq2seq, {s2s_epochs} epochs": s2s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--s2s-epochs", type=int, default=30)
    parser.add_argument("--book-dir", type=Path, help="a folder where d2l 0.17.6 is already installed")
    args = parser.parse_args()
    os.environ.pop("D2L_SMOKE", None)
    with tempfile.TemporaryDirectory(prefix="d2l-bench-") as tmp:
        book_dir = args.book_dir or Path(tmp) / "site"
        if args.book_dir is None:
            install_book(book_dir)
        sys.path.insert(0, str(book_dir))
        from d2l import torch as book  # noqa: PLC0415 (the reference, imported from the temporary folder)

        book.download_extract = lambda name, folder=None: str(d2l.data_dir() / "fra-eng")  # offline: unpacked copy
        (Path(tmp) / "data").symlink_to(d2l.data_dir(), target_is_directory=True)
        (Path(tmp) / "work").mkdir()
        ours = {name: timed(run) for name, run in workloads(d2l, args.epochs, args.s2s_epochs).items()}
        cwd = os.getcwd()
        os.chdir(Path(tmp) / "work")  # the book reads ../data
        try:
            theirs = {name: timed(run) for name, run in workloads(book, args.epochs, args.s2s_epochs).items()}
        finally:
            os.chdir(cwd)
    print(f"machine: {os.cpu_count()} CPU cores, torch {torch.__version__}, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, load {os.getloadavg()[0]:.1f}; seed 0; wall time")
    for name, (t_ours, m_ours) in ours.items():
        t_book, m_book = theirs[name][0], per_token(theirs[name][1])
        print(f"  {name:26s} d2l_helpers {t_ours:6.1f} s ({m_ours})   d2l 0.17.6 {t_book:6.1f} s ({m_book})   "
              f"ratio (book / ours) {t_book / t_ours:5.2f}x")


if __name__ == "__main__":
    main()
