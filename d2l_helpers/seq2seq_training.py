"""Training and using a sequence-to-sequence model: the batch step on the one epoch driver, greedy prediction, BLEU.

Introduced in 09_07_seq2seq. Fixes to the book: the printed loss is the cross-entropy per target token (the
book's figure is that divided by ``num_steps``); ``predict_seq2seq`` caps the source's valid length at
``num_steps`` and runs without gradients; ``bleu`` returns 0 instead of dividing by zero when the prediction
is shorter than ``k`` tokens or empty. Beyond the book, ``evaluate_bleu`` scores held-out pairs.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from .metrics import Timer
from .rnn import grad_clipping
from .seq2seq import MaskedSoftmaxCELoss
from .text import Vocab
from .training import Bar, check_lr, length, run_batches, run_epochs
from .translation import preprocess_nmt, truncate_pad


def init_seq2seq(m: nn.Module) -> None:
    """Xavier-uniform weights for ``nn.Linear`` and ``nn.GRU`` layers, as the book's ``train_seq2seq`` does."""
    if type(m) is nn.Linear:
        nn.init.xavier_uniform_(m.weight)
    if type(m) is nn.GRU:
        for name in m._flat_weights_names:
            if "weight" in name:
                nn.init.xavier_uniform_(m._parameters[name])


def train_seq2seq(net: nn.Module, data_iter: Iterable[Any], lr: float, num_epochs: int, tgt_vocab: Vocab,
                  device: torch.device | str, *, plot_every: int = 10) -> float:
    """Train with Adam(``lr``), teacher forcing and gradient clipping at 1; returns the final loss per token; 09_07.

    Prints the loss per target token and the training speed, as the book's trainer does.
    """
    check_lr(lr)
    net.apply(init_seq2seq)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss = MaskedSoftmaxCELoss()
    bos = tgt_vocab["<bos>"]
    speeds: list[float] = []

    def step(batch: tuple[torch.Tensor, ...]) -> tuple[float, float]:
        X, X_valid_len, Y, Y_valid_len = (x.to(device) for x in batch)
        dec_input = torch.cat([torch.full((Y.shape[0], 1), bos, device=device), Y[:, :-1]], 1)  # teacher forcing
        Y_hat, _ = net(X, dec_input, X_valid_len)  # (batch, num_steps, vocab_size)
        l = loss(Y_hat, Y, Y_valid_len)  # (batch,): per sequence, summed over valid steps / num_steps
        optimizer.zero_grad()
        l.sum().backward()
        grad_clipping(net, 1)
        optimizer.step()
        return float(l.detach().sum()) * Y.shape[1], float(Y_valid_len.sum())  # (token loss sum, tokens)

    def epoch(i: int, bar: Bar) -> tuple[float]:
        net.train()
        timer = Timer()
        loss_sum, num_tokens = run_batches(data_iter, step, 2, bar)
        speeds.append(num_tokens / timer.stop())
        return (loss_sum / num_tokens,)

    (final_loss,) = run_epochs(num_epochs, epoch, batches_per_epoch=length(data_iter), legend=["train"],
                               ylabel="loss per token", plot_every=plot_every)
    print(f"loss {final_loss:.3f}, {sum(speeds) / len(speeds):.1f} tokens/sec on {device}")
    return float(final_loss)  # type: ignore[arg-type]


def predict_seq2seq(net: nn.Module, src_sentence: str, src_vocab: Vocab, tgt_vocab: Vocab, num_steps: int,
                    device: torch.device | str, save_attention_weights: bool = False) -> tuple[str, list[Any]]:
    """Greedy decoding: the most likely token at each step until ``<eos>``; returns (translation, attention
    weights per step if ``save_attention_weights``); introduced in 09_07.
    """
    net.eval()
    src_tokens = src_vocab[preprocess_nmt(src_sentence).split()] + [src_vocab["<eos>"]]
    enc_valid_len = torch.tensor([min(len(src_tokens), num_steps)], device=device)  # the book forgets the cap
    enc_X = torch.tensor([truncate_pad(src_tokens, num_steps, src_vocab["<pad>"])], dtype=torch.long,
                         device=device)  # (1, num_steps)
    output_seq: list[int] = []
    attention_weight_seq: list[Any] = []
    with torch.no_grad():
        enc_outputs = net.encoder(enc_X, enc_valid_len)
        dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
        dec_X = torch.tensor([[tgt_vocab["<bos>"]]], dtype=torch.long, device=device)  # (1, 1)
        for _ in range(num_steps):
            Y, dec_state = net.decoder(dec_X, dec_state)  # Y: (1, 1, vocab_size)
            dec_X = Y.argmax(dim=2)  # the prediction is the next input
            pred = int(dec_X.squeeze(dim=0).item())
            if save_attention_weights:
                attention_weight_seq.append(net.decoder.attention_weights)
            if pred == tgt_vocab["<eos>"]:
                break
            output_seq.append(pred)
    return " ".join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq


def bleu(pred_seq: str, label_seq: str, k: int) -> float:
    """BLEU with n-grams up to ``k``: brevity penalty times the weighted geometric mean of n-gram precisions; 09_07.

    A prediction shorter than ``k`` tokens (or empty) scores 0, where the book's version divides by zero.
    """
    pred_tokens, label_tokens = pred_seq.split(), label_seq.split()
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred < k or len_label == 0:
        return 0.0
    score = math.exp(min(0, 1 - len_label / len_pred))  # brevity penalty: short predictions pay
    for n in range(1, k + 1):
        num_matches, label_subs = 0, collections.Counter(" ".join(label_tokens[i: i + n])
                                                         for i in range(len_label - n + 1))
        for i in range(len_pred - n + 1):
            ngram = " ".join(pred_tokens[i: i + n])
            if label_subs[ngram] > 0:
                num_matches += 1
                label_subs[ngram] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))  # longer n-grams weigh more
    return score


def evaluate_bleu(net: nn.Module, pairs: Iterable[tuple[str, str]], src_vocab: Vocab, tgt_vocab: Vocab,
                  num_steps: int, device: torch.device | str, k: int = 2) -> float:
    """Mean BLEU of greedy translations over (source, reference) pairs, e.g. held-out ones (beyond the book)."""
    scores = [bleu(predict_seq2seq(net, src, src_vocab, tgt_vocab, num_steps, device)[0], tgt, k)
              for src, tgt in pairs]
    if not scores:
        raise ValueError("evaluate_bleu got no sentence pairs to score")
    return sum(scores) / len(scores)
