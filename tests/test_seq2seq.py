"""Chapter 9 translation helpers: data, encoder-decoder, masking, the masked loss, training, prediction and BLEU.

The book's own examples (d2l 0.17, PyTorch, sections 9.5-9.7) are typed as the book writes them; tests named
``..._book_bug_...`` show a case where the book's helper is wrong and ours is right.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import d2l_helpers as d2l


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    d2l.plt.close("all")


# --- data -------------------------------------------------------------------------------------------------

def test_preprocess_nmt_spaces_punctuation_and_lowercases() -> None:
    assert d2l.preprocess_nmt("Go.\tVa !\nHi.\u202fOK,\xa0yes!") == "go .\tva !\nhi . ok , yes !"
    assert d2l.preprocess_nmt("go .") == "go ."  # idempotent on preprocessed text


def test_tokenize_nmt_returns_exactly_num_examples_book_bug_off_by_one() -> None:
    text = "\n".join(f"e{i}\tf{i}" for i in range(10))
    source, target = d2l.tokenize_nmt(text, num_examples=6)
    assert len(source) == len(target) == 6  # the book's `if i > num_examples: break` keeps 7
    assert source[0] == ["e0"] and target[5] == ["f5"]
    assert len(d2l.tokenize_nmt(text)[0]) == 10


def test_tokenize_nmt_reads_lines_with_an_attribution_column() -> None:
    source, target = d2l.tokenize_nmt("go .\tva !\tCC-BY 2.0 (France) Attribution: tatoeba.org\n")
    assert source == [["go", "."]] and target == [["va", "!"]]  # the book's len(parts) == 2 test drops it


def test_truncate_pad_and_build_array_nmt_as_in_the_book() -> None:
    assert d2l.truncate_pad([1, 2], 4, 0) == [1, 2, 0, 0] and d2l.truncate_pad([1, 2, 3, 4, 5], 3, 0) == [1, 2, 3]
    vocab = d2l.Vocab([["a", "b"]], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    array, valid_len = d2l.build_array_nmt([["a"], ["a", "b", "a"]], vocab, 3)
    assert array.tolist() == [[vocab["a"], vocab["<eos>"], vocab["<pad>"]], [vocab["a"], vocab["b"], vocab["a"]]]
    assert valid_len.tolist() == [2, 3]


def test_load_data_nmt_as_the_book_calls_it(offline_data) -> None:
    train_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(batch_size=2, num_steps=8)
    X, X_valid_len, Y, Y_valid_len = next(iter(train_iter))
    assert X.shape == Y.shape == (2, 8) and X.dtype == torch.int64 and X_valid_len.shape == (2,)
    assert train_iter.num_examples == 600
    assert src_vocab.idx_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    for vocab in (src_vocab, tgt_vocab):  # min_freq=2: tokens seen once map to <unk>
        assert len(vocab) == 4 + sum(1 for _, count in vocab.token_freqs if count >= 2)


def test_heldout_pairs_are_not_in_the_training_pairs(offline_data) -> None:
    source, _ = d2l.tokenize_nmt(d2l.preprocess_nmt(d2l.read_data_nmt()), 600)
    seen = {" ".join(s) for s in source}
    pairs = d2l.load_heldout_nmt(600, 500)
    assert len(pairs) == 500 and not any(src in seen for src, _ in pairs)


def test_show_list_len_pair_hist_draws_two_hatched_histograms(offline_data) -> None:
    source, target = d2l.tokenize_nmt(d2l.preprocess_nmt(d2l.read_data_nmt()), 100)
    d2l.show_list_len_pair_hist(["source", "target"], "# tokens per sequence", "count", source, target)
    assert len(d2l.plt.gca().patches) > 0


# --- models and masking -------------------------------------------------------------------------------------

def test_9_6_interface_raises_until_implemented() -> None:
    with pytest.raises(NotImplementedError, match="must define forward"):
        d2l.Encoder()(torch.zeros(1))
    with pytest.raises(NotImplementedError, match="init_state"):
        d2l.Decoder().init_state(None)


def test_9_7_book_encoder_and_decoder_shapes() -> None:
    encoder = d2l.Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    encoder.eval()
    X = torch.zeros((4, 7), dtype=torch.long)
    output, state = encoder(X)
    assert output.shape == (7, 4, 16) and state.shape == (2, 4, 16)
    decoder = d2l.Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    decoder.eval()
    out, dec_state = decoder(X, decoder.init_state(encoder(X)))
    assert out.shape == (4, 7, 10) and dec_state[0].shape == (2, 4, 16)


def test_decoder_keeps_the_encoders_context_book_bug_drifting_context() -> None:
    """Decoding step by step must equal decoding all steps in one call (as in training)."""
    torch.manual_seed(0)
    encoder, decoder = d2l.Seq2SeqEncoder(10, 8, 16, 2), d2l.Seq2SeqDecoder(10, 8, 16, 2)
    X, Y = torch.randint(0, 10, (3, 5)), torch.randint(0, 10, (3, 4))
    state = decoder.init_state(encoder(X))
    all_at_once, _ = decoder(Y, state)
    steps = []
    for t in range(Y.shape[1]):
        out, state = decoder(Y[:, t: t + 1], state)
        steps.append(out)
    torch.testing.assert_close(torch.cat(steps, 1), all_at_once)


def test_9_7_book_sequence_mask_examples() -> None:
    X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    assert d2l.sequence_mask(X, torch.tensor([1, 2])).tolist() == [[1, 0, 0], [4, 5, 0]]
    X = torch.ones(2, 3, 4)
    masked = d2l.sequence_mask(X, torch.tensor([1, 2]), value=-1)
    assert masked[0, 1:].eq(-1).all() and masked[1, :2].eq(1).all() and masked[1, 2].eq(-1).all()
    assert X.eq(1).all()  # a new tensor: the argument is untouched
    with pytest.raises(ValueError, match="one length per row"):
        d2l.sequence_mask(X, torch.tensor([1, 2, 3]))


def test_9_7_book_masked_loss_example() -> None:
    loss = d2l.MaskedSoftmaxCELoss()
    got = loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0]))
    torch.testing.assert_close(got, torch.tensor([2.3026, 1.1513, 0.0]), atol=1e-4, rtol=0)


# --- BLEU ---------------------------------------------------------------------------------------------------

def test_bleu_matches_the_books_figures() -> None:
    assert d2l.bleu("va !", "va !", k=2) == 1.0
    assert d2l.bleu("il est calme .", "il est calme .", k=2) == 1.0
    assert math.isclose(d2l.bleu("je suis .", "je suis chez moi .", k=2), math.exp(1 - 5 / 3) * (1 / 2) ** 0.25)
    assert math.isclose(d2l.bleu("il est riche .", "il est calme .", k=2), (3 / 4) ** 0.5 * (1 / 3) ** 0.25)
    assert round(d2l.bleu("il est riche .", "il est calme .", k=2), 3) == 0.658  # the book's "he's calm ." score


def test_bleu_of_short_or_empty_predictions_is_zero_book_bug_zero_division() -> None:
    assert d2l.bleu("va", "va !", k=2) == 0.0  # the book's version raises ZeroDivisionError
    assert d2l.bleu("", "va !", k=2) == 0.0


# --- training and prediction -----------------------------------------------------------------------------------

def _copy_data(n: int = 64, num_steps: int = 6) -> tuple[d2l.TensorLoader, d2l.Vocab]:
    """A toy task: the target is the source; tokens 'a'..'e' with <eos> and padding."""
    torch.manual_seed(0)
    vocab = d2l.Vocab([list("abcde")], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    lines = [list("abcde"[i % 5] + "abcde"[(i * 3) % 5] + "abcde"[(i * 7 + 1) % 5]) for i in range(n)]  # 'a d b', ...
    array, valid_len = d2l.build_array_nmt(lines, vocab, num_steps)
    return d2l.load_array((array, valid_len, array, valid_len), 16), vocab


def test_train_seq2seq_learns_a_copy_task_and_predicts_it(no_smoke, capsys) -> None:
    data_iter, vocab = _copy_data()
    torch.manual_seed(0)
    net = d2l.EncoderDecoder(d2l.Seq2SeqEncoder(len(vocab), 16, 32, 1), d2l.Seq2SeqDecoder(len(vocab), 16, 32, 1))
    final = d2l.train_seq2seq(net, data_iter, 0.01, 60, vocab, "cpu")
    assert final < 0.3 and capsys.readouterr().out.startswith("loss ")
    translation, weights = d2l.predict_seq2seq(net, "b d d", vocab, vocab, 6, "cpu")  # the second pair
    assert translation == "b d d" and weights == []


def test_predict_seq2seq_caps_the_valid_length_book_bug_overlong_source() -> None:
    seen: list[int] = []

    class Spy(d2l.Encoder):
        def forward(self, X, valid_len):
            seen.append(int(valid_len))
            return X

    class Stop(d2l.Decoder):
        def init_state(self, enc_outputs, *args):
            return None

        def forward(self, X, state):
            return torch.nn.functional.one_hot(torch.tensor([[3]]), 5).float(), state  # always <eos>

    vocab = d2l.Vocab([["a"]], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    assert d2l.predict_seq2seq(d2l.EncoderDecoder(Spy(), Stop()), "a a a a a a", vocab, vocab, 4, "cpu")[0] == ""
    assert seen == [4]  # 6 words + <eos> = 7 tokens, truncated to 4; the book passes 7


def test_evaluate_bleu_averages_and_rejects_no_pairs() -> None:
    class Echo(nn.Module):
        pass

    with pytest.raises(ValueError, match="no sentence pairs"):
        d2l.evaluate_bleu(Echo(), [], d2l.Vocab(), d2l.Vocab(), 5, "cpu")
