"""Chapter 8 helpers: tokens and vocabularies, language-model batches, RNN models, clipping and train_ch8.

The book's own calls (d2l 0.17, PyTorch, sections 8.2-8.6) are typed as the book writes them.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2l_helpers as d2l
from d2l_helpers.lm_data import _sequential


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    d2l.plt.close("all")


# --- text ---------------------------------------------------------------------------------------------------

def test_tokenize_words_and_chars_and_rejects_unknown_kinds() -> None:
    assert d2l.tokenize(["the time", "machine"]) == [["the", "time"], ["machine"]]
    assert d2l.tokenize(["ab c"], "char") == [["a", "b", " ", "c"]]
    with pytest.raises(ValueError, match="token='word' or token='char'"):
        d2l.tokenize(["a"], "byte")
    with pytest.raises(TypeError, match="list of lines"):
        d2l.tokenize("one string")


def test_vocab_orders_by_frequency_with_unk_reserved_and_min_freq() -> None:
    tokens = [["b", "a", "b"], ["c", "a", "b", "d"]]
    vocab = d2l.Vocab(tokens, min_freq=2, reserved_tokens=["<pad>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "b", "a"]  # c and d are rarer than min_freq
    assert vocab["b"] == 2 and vocab["d"] == vocab.unk == 0
    assert vocab[["a", ("b")]] == [3, 2] and vocab[("a", "zzz")] == [3, 0]
    assert vocab.to_tokens([2, 3]) == ["b", "a"] and vocab.to_tokens(torch.tensor([3, 1])) == ["a", "<pad>"]
    assert vocab.to_tokens(torch.tensor(2)) == "b"
    assert vocab.token_freqs[0] == ("b", 3) and len(vocab) == 4
    assert len(d2l.Vocab()) == 1  # only <unk>
    with pytest.raises(ValueError, match="distinct"):
        d2l.Vocab(tokens, reserved_tokens=["<unk>"])


def test_vocab_ties_keep_first_appearance_like_the_book() -> None:
    assert d2l.Vocab(list("xyzyx")).idx_to_token == ["<unk>", "x", "y", "z"]


def test_count_corpus_flattens_token_lists() -> None:
    assert d2l.count_corpus([["a", "b"], ["a"]]) == d2l.count_corpus(["a", "b", "a"])


def test_time_machine_corpus_keeps_line_breaks_as_spaces(offline_data) -> None:
    lines = d2l.read_time_machine()
    assert lines[0] == "the time machine by h g wells"
    corpus, vocab = d2l.load_corpus_time_machine()
    assert len(vocab) == 28  # <unk>, space and 26 letters
    text = "".join(vocab.to_tokens(corpus[:400]))
    assert "shone and twinkled" in text  # the book's corpus glues the lines into 'andtwinkled'
    book_length = sum(len(line) for line in lines)
    assert len(corpus) == book_length + sum(1 for line in lines if line) - 1
    assert d2l.load_corpus_time_machine(500)[0] == corpus[:500]


# --- language-model batches ------------------------------------------------------------------------------------

def _check_pairs(X: torch.Tensor, Y: torch.Tensor, corpus: list[int]) -> list[int]:
    """Each row of X is a slice of the corpus and Y the same slice one token later; returns the row starts."""
    starts = []
    for x, y in zip(X.tolist(), Y.tolist()):
        start = next(i for i in range(len(corpus)) if corpus[i: i + len(x)] == x)
        assert corpus[start + 1: start + 1 + len(y)] == y
        starts.append(start)
    return starts


def test_random_sampling_gives_shifted_disjoint_subsequences_and_follows_torch_seed() -> None:
    corpus = list(range(35))
    torch.manual_seed(0)
    batches = list(d2l.seq_data_iter_random(corpus, batch_size=2, num_steps=5))
    starts = [s for X, Y in batches for s in _check_pairs(X, Y, corpus)]
    assert all(X.shape == (2, 5) for X, _ in batches) and len(batches) == 3
    assert len({s % 5 for s in starts}) == 1 and len(set(starts)) == len(starts)  # one offset, no overlap
    torch.manual_seed(0)
    again = list(d2l.seq_data_iter_random(corpus, batch_size=2, num_steps=5))
    assert all(torch.equal(a[0], b[0]) for a, b in zip(batches, again))


def test_sequential_partitioning_continues_each_row_across_batches() -> None:
    corpus = list(range(35))
    batches = list(d2l.seq_data_iter_sequential(corpus, batch_size=2, num_steps=5))
    for (X1, _), (X2, _) in zip(batches, batches[1:]):
        assert torch.equal(X2[:, 0], X1[:, -1] + 1)  # row b picks up where it stopped
    for X, Y in batches:
        assert torch.equal(Y, X + 1)
    assert [X.tolist() for X, _ in _sequential(corpus, 2, 5, 0)][0] == [[0, 1, 2, 3, 4], [17, 18, 19, 20, 21]]


def test_batches_reject_bad_sizes_and_too_short_corpora() -> None:
    with pytest.raises(ValueError, match="num_steps must be a positive integer"):
        list(d2l.seq_data_iter_sequential(list(range(100)), 2, 0))
    with pytest.raises(ValueError, match="too short"):
        list(d2l.seq_data_iter_random(list(range(10)), 4, 5))


def test_time_machine_loaders_train_on_the_start_and_hold_out_the_end(offline_data, no_smoke) -> None:
    train_iter, vocab = d2l.load_data_time_machine(32, 35)
    heldout = d2l.load_heldout_time_machine(32, 35)
    assert len(train_iter.corpus) == len(heldout.corpus) == 10000
    corpus, _ = d2l.load_corpus_time_machine()
    assert train_iter.corpus == corpus[:10000] and heldout.corpus == corpus[-10000:]
    assert len(list(train_iter)) == len(train_iter) == 8
    assert [X.tolist() for X, _ in heldout] == [X.tolist() for X, _ in heldout]  # fixed order for evaluation
    assert heldout.vocab.idx_to_token == vocab.idx_to_token


def test_smoke_mode_caps_language_model_batches(offline_data, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("D2L_SMOKE", "1")
    train_iter, _ = d2l.load_data_time_machine(2, 5, max_tokens=2000)
    assert len(list(train_iter)) == len(train_iter) == 20


# --- models, clipping, generation ------------------------------------------------------------------------------

def _book_scratch_rnn(vocab_size: int, num_hiddens: int) -> d2l.RNNModelScratch:
    """Section 8.5's scratch RNN as the book writes it."""

    def get_params(vocab_size, num_hiddens, device):
        def normal(shape):
            return torch.randn(size=shape, device=device) * 0.01
        params = [normal((vocab_size, num_hiddens)), normal((num_hiddens, num_hiddens)),
                  torch.zeros(num_hiddens, device=device), normal((num_hiddens, vocab_size)),
                  torch.zeros(vocab_size, device=device)]
        for param in params:
            param.requires_grad_(True)
        return params

    def init_rnn_state(batch_size, num_hiddens, device):
        return (torch.zeros((batch_size, num_hiddens), device=device),)

    def rnn(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        H, = state
        outputs = []
        for X in inputs:
            H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
            outputs.append(torch.mm(H, W_hq) + b_q)
        return torch.cat(outputs, dim=0), (H,)

    return d2l.RNNModelScratch(vocab_size, num_hiddens, d2l.try_gpu(), get_params, init_rnn_state, rnn)


def test_8_5_book_scratch_model_shapes_and_prediction(offline_data) -> None:
    _, vocab = d2l.load_data_time_machine(32, 35)
    torch.manual_seed(0)
    net = _book_scratch_rnn(len(vocab), 512)
    X = torch.arange(10).reshape((2, 5))
    state = net.begin_state(X.shape[0], d2l.try_gpu())
    Y, new_state = net(X.to(d2l.try_gpu()), state)
    assert Y.shape == (10, 28) and len(new_state) == 1 and new_state[0].shape == (2, 512)
    text = d2l.predict_ch8("time traveller ", 10, net, vocab, d2l.try_gpu())
    assert text.startswith("time traveller ") and len(text) >= 25  # an untrained model may emit "<unk>"


@pytest.mark.parametrize("layer,state_shapes", [
    (nn.RNN(28, 16), [(1, 3, 16)]),
    (nn.GRU(28, 16, num_layers=2), [(2, 3, 16)]),
    (nn.LSTM(28, 16), [(1, 3, 16), (1, 3, 16)]),
    (nn.GRU(28, 16, bidirectional=True), [(2, 3, 16)]),
])
def test_rnn_model_states_and_outputs(layer: nn.RNNBase, state_shapes: list) -> None:
    net = d2l.RNNModel(layer, vocab_size=28)
    state = net.begin_state(device="cpu", batch_size=3)
    states = list(state) if isinstance(state, tuple) else [state]
    assert [tuple(s.shape) for s in states] == state_shapes
    Y, _ = net(torch.zeros((3, 7), dtype=torch.long), state)
    assert Y.shape == (7 * 3, 28)


def test_models_reject_float_inputs_and_out_of_vocabulary_indices() -> None:
    net = d2l.RNNModel(nn.RNN(28, 8), vocab_size=28)
    state = net.begin_state("cpu", 1)
    with pytest.raises(ValueError, match="token indices"):
        net(torch.zeros((1, 4)), state)
    with pytest.raises(ValueError, match=r"lie in \[0, 28\)"):
        net(torch.tensor([[3, 40]]), state)
    with pytest.raises(ValueError, match="non-empty prefix"):
        d2l.predict_ch8("", 5, net, d2l.Vocab(list("abc")), "cpu")


def test_grad_clipping_matches_the_books_loop() -> None:
    torch.manual_seed(0)
    net = nn.Linear(4, 3)
    net(torch.randn(5, 4)).pow(2).sum().mul(100).backward()
    grads = [p.grad.clone() for p in net.parameters()]
    norm = torch.sqrt(sum(torch.sum(g**2) for g in grads))
    assert norm > 1
    d2l.grad_clipping(net, 1)
    for p, g in zip(net.parameters(), grads):  # the book: p.grad[:] *= theta / norm
        torch.testing.assert_close(p.grad, g * (1 / norm), rtol=1e-5, atol=1e-7)
    before = [p.grad.clone() for p in net.parameters()]
    d2l.grad_clipping(net, 10)  # the norm is 1 now: nothing changes
    assert all(torch.allclose(p.grad, b) for p, b in zip(net.parameters(), before))


def test_grad_clipping_takes_a_scratch_models_params(offline_data) -> None:
    net = _book_scratch_rnn(28, 8)
    Y, _ = net(torch.zeros((2, 3), dtype=torch.long), net.begin_state(2, "cpu"))
    (Y.sum() * 1e4).backward()
    d2l.grad_clipping(net, 0.5)
    assert math.isclose(float(torch.sqrt(sum((p.grad**2).sum() for p in net.params))), 0.5, rel_tol=1e-4)


# --- training and perplexity ----------------------------------------------------------------------------------

def test_perplexity_of_a_uniform_model_is_the_vocabulary_size(offline_data, no_smoke) -> None:
    heldout = d2l.load_heldout_time_machine(4, 10, num_tokens=400)
    net = d2l.RNNModel(nn.RNN(28, 8), vocab_size=28)
    nn.init.zeros_(net.linear.weight)
    nn.init.zeros_(net.linear.bias)
    assert math.isclose(d2l.evaluate_perplexity(net, heldout), 28, rel_tol=1e-6)


@pytest.mark.parametrize("use_random_iter", [False, True])
def test_8_6_book_concise_rnn_learns_and_reports_heldout_perplexity(offline_data, no_smoke, capsys,
                                                                    use_random_iter: bool) -> None:
    torch.manual_seed(0)
    train_iter, vocab = d2l.load_data_time_machine(16, 35, use_random_iter)
    heldout = d2l.load_heldout_time_machine(16, 35, num_tokens=3000)
    net = d2l.RNNModel(nn.GRU(len(vocab), 64), vocab_size=len(vocab))
    result = d2l.train_ch8(net, train_iter, vocab, 2, 20, d2l.try_gpu(), use_random_iter, test_iter=heldout)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("perplexity ") and "tokens/sec on cpu" in lines[0]
    assert lines[2].startswith("time traveller") and lines[3].startswith("traveller")
    assert result.perplexity < 9 and result.heldout_perplexity < 10  # character frequencies alone give 16.8
    assert result.perplexity == pytest.approx(d2l.evaluate_perplexity(net, train_iter), rel=0.35)


def test_train_ch8_with_the_books_scratch_model_and_updater(offline_data, no_smoke, capsys) -> None:
    torch.manual_seed(0)
    train_iter, vocab = d2l.load_data_time_machine(16, 10, max_tokens=2000)
    net = _book_scratch_rnn(len(vocab), 32)
    before = [p.detach().clone() for p in net.params]
    result = d2l.train_ch8(net, train_iter, vocab, 1, 5, d2l.try_gpu())
    assert all(not torch.equal(b, p) for b, p in zip(before, net.params))
    assert result.perplexity < 20 and math.isnan(result.heldout_perplexity)
    assert "perplexity" in capsys.readouterr().out


def test_train_epoch_ch8_cuts_the_graph_between_sequential_batches(offline_data, no_smoke) -> None:
    """With a carried state, backward must not reach into the previous batch (which would raise)."""
    train_iter, vocab = d2l.load_data_time_machine(4, 5, max_tokens=400)
    net = d2l.RNNModel(nn.LSTM(len(vocab), 8), vocab_size=len(vocab))
    updater = torch.optim.SGD(net.parameters(), 0.1)
    ppl, speed = d2l.train_epoch_ch8(net, train_iter, nn.CrossEntropyLoss(), updater, "cpu", False)
    assert math.isfinite(ppl) and speed > 0


def test_one_hot_matches_the_book_example() -> None:
    assert F.one_hot(torch.tensor([0, 2]), 28).shape == (2, 28)
    X = torch.arange(10).reshape((2, 5))
    assert F.one_hot(X.T, 28).shape == (5, 2, 28)
