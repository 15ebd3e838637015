"""Chapter 10 helpers: masked softmax, attention scoring, multi-head attention, positional encoding, Transformer.

The book's own examples (d2l 0.17, PyTorch, sections 10.1-10.7) are typed as the book writes them; tests
named ``..._book_bug_...`` show a case where the book's code is wrong and ours is right.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import d2l_helpers as d2l


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    d2l.plt.close("all")


# --- masked softmax and scoring ---------------------------------------------------------------------------------

def test_masked_softmax_zeroes_masked_keys_with_1d_and_2d_lengths() -> None:
    X = torch.rand(2, 2, 4)
    w = d2l.masked_softmax(X, torch.tensor([2, 3]))
    assert torch.all(w[0, :, 2:] == 0) and torch.all(w[1, :, 3:] == 0)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 2))
    w2 = d2l.masked_softmax(X, torch.tensor([[1, 3], [2, 4]]))
    assert torch.all(w2[0, 0, 1:] == 0) and w2[0, 0, 0] == 1 and torch.all(w2[1, 1] > 0)
    torch.testing.assert_close(d2l.masked_softmax(X, None), F.softmax(X, dim=-1))


def test_masked_softmax_row_without_valid_keys_is_zero_book_bug_uniform() -> None:
    w = d2l.masked_softmax(torch.rand(2, 3, 4), torch.tensor([0, 2]))
    assert torch.all(w[0] == 0)  # the book's -1e6 fill gives 0.25 to each padded key
    assert not torch.isnan(w).any()


def test_masked_softmax_rejects_lengths_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        d2l.masked_softmax(torch.rand(2, 3, 4), torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="1-D"):
        d2l.masked_softmax(torch.rand(2, 3, 4), torch.ones(2, 3, 1))


def test_10_3_book_additive_attention_example() -> None:
    queries, keys = torch.normal(0, 1, (2, 1, 20)), torch.ones((2, 10, 2))
    values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    valid_lens = torch.tensor([2, 6])
    attention = d2l.AdditiveAttention(key_size=2, query_size=20, num_hiddens=8, dropout=0.1)
    attention.eval()
    out = attention(queries, keys, values, valid_lens)
    # all keys are equal, so the weights are uniform over the valid ones: the mean of the first 2 and 6 values
    torch.testing.assert_close(out, torch.stack([values[0, :2].mean(0), values[0, :6].mean(0)]).unsqueeze(1))
    d2l.show_heatmaps(attention.attention_weights.reshape((1, 1, 2, 10)), xlabel="Keys", ylabel="Queries")


def test_dot_product_attention_equals_torch_sdpa_with_the_same_mask() -> None:
    torch.manual_seed(0)
    q, k, v = torch.randn(3, 5, 8), torch.randn(3, 7, 8), torch.randn(3, 7, 6)
    valid_lens = torch.tensor([7, 3, 1])
    attention = d2l.DotProductAttention(dropout=0.5)
    attention.eval()
    mask = torch.arange(7)[None, None, :] < valid_lens[:, None, None]  # (batch, 1, keys): True = attend
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(attention(q, k, v, valid_lens), expected)


def test_attention_rejects_mismatched_keys_and_values_and_sizes() -> None:
    with pytest.raises(ValueError, match="keys and values must pair up"):
        d2l.DotProductAttention(0)(torch.rand(2, 1, 4), torch.rand(2, 5, 4), torch.rand(2, 6, 3))
    with pytest.raises(ValueError, match="AdditiveAttention"):
        d2l.DotProductAttention(0)(torch.rand(2, 1, 3), torch.rand(2, 5, 4), torch.rand(2, 5, 3))


# --- multi-head attention ------------------------------------------------------------------------------------

def test_transpose_qkv_and_transpose_output_invert_each_other() -> None:
    X = torch.randn(2, 5, 12)
    heads = d2l.transpose_qkv(X, 3)
    assert heads.shape == (6, 5, 4)
    torch.testing.assert_close(heads[1], X[0, :, 4:8])  # example 0, head 1: its slice of the features
    assert torch.equal(d2l.transpose_output(heads, 3), X)


def test_multihead_attention_equals_torch_multiheadattention_with_the_same_weights() -> None:
    torch.manual_seed(0)
    num_hiddens, num_heads = 16, 4
    ours = d2l.MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, 0.0)
    theirs = nn.MultiheadAttention(num_hiddens, num_heads, bias=False, batch_first=True)
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.W_q.weight, ours.W_k.weight, ours.W_v.weight]))
        theirs.out_proj.weight.copy_(ours.W_o.weight)
    ours.eval()
    theirs.eval()
    q, kv = torch.randn(2, 4, num_hiddens), torch.randn(2, 6, num_hiddens)
    valid_lens = torch.tensor([3, 6])
    padding = torch.arange(6)[None, :] >= valid_lens[:, None]  # True = ignore
    expected, _ = theirs(q, kv, kv, key_padding_mask=padding, need_weights=False)
    torch.testing.assert_close(ours(q, kv, kv, valid_lens), expected, rtol=1e-5, atol=1e-6)


def test_10_5_book_multihead_example_and_the_divisibility_error() -> None:
    attention = d2l.MultiHeadAttention(100, 100, 100, 100, 5, 0.5)
    attention.eval()
    X, Y = torch.ones((2, 4, 100)), torch.ones((2, 6, 100))
    assert attention(X, Y, Y, torch.tensor([3, 2])).shape == (2, 4, 100)
    assert attention.attention.attention_weights.shape == (10, 4, 6)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        d2l.MultiHeadAttention(100, 100, 100, 100, 3, 0.5)


# --- positional encoding -------------------------------------------------------------------------------------

def test_positional_encodings_are_bounded_distinct_and_accept_odd_sizes() -> None:
    encoding = d2l.PositionalEncoding(32, 0)
    encoding.eval()
    P = encoding(torch.zeros((1, 60, 32)))[0]  # (positions, features)
    assert P.abs().max() <= 1
    assert torch.cdist(P, P).add(torch.eye(60) * 10).min() > 0.1  # every position has its own code
    assert d2l.PositionalEncoding(7, 0)(torch.zeros(1, 3, 7)).shape == (1, 3, 7)  # the book's fails on odd sizes
    torch.testing.assert_close(encoding(torch.zeros(1, 2, 32), start=5)[0], P[5:7])
    with pytest.raises(ValueError, match="max_len"):
        d2l.PositionalEncoding(8, 0, max_len=10)(torch.zeros(1, 11, 8))


def test_positional_encoding_follows_the_device_of_the_module() -> None:
    encoding = d2l.PositionalEncoding(8, 0)
    assert "P" in dict(encoding.named_buffers()) and not list(encoding.parameters())


# --- the Transformer ------------------------------------------------------------------------------------------

def test_10_7_book_shapes() -> None:
    X, valid_lens = torch.ones((2, 100, 24)), torch.tensor([3, 2])
    encoder_blk = d2l.EncoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5)
    encoder_blk.eval()
    assert encoder_blk(X, valid_lens).shape == (2, 100, 24)
    encoder = d2l.TransformerEncoder(200, 24, 24, 24, 24, [100, 24], 24, 48, 8, 2, 0.5)
    encoder.eval()
    assert encoder(torch.ones((2, 100), dtype=torch.long), valid_lens).shape == (2, 100, 24)
    assert encoder.attention_weights[1].shape == (16, 100, 100)
    decoder_blk = d2l.DecoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5, 0)
    decoder_blk.eval()
    state = [encoder_blk(X, valid_lens), valid_lens, [None]]
    assert decoder_blk(X, state)[0].shape == (2, 100, 24)
    assert d2l.PositionWiseFFN(4, 4, 8)(torch.ones((2, 3, 4))).shape == (2, 3, 8)
    assert d2l.AddNorm([3, 4], 0.5).eval()(torch.ones((2, 3, 4)), torch.ones((2, 3, 4))).shape == (2, 3, 4)


def _tiny_transformer(vocab_size: int = 12, dropout: float = 0.0) -> d2l.EncoderDecoder:
    args = dict(key_size=16, query_size=16, value_size=16, num_hiddens=16, norm_shape=[16], ffn_num_input=16,
                ffn_num_hiddens=32, num_heads=4, num_layers=2, dropout=dropout)
    return d2l.EncoderDecoder(d2l.TransformerEncoder(vocab_size, **args), d2l.TransformerDecoder(vocab_size, **args))


@pytest.mark.parametrize("training", [True, False])
def test_decoder_output_at_step_t_ignores_later_inputs_book_bug_no_mask_in_eval(training: bool) -> None:
    torch.manual_seed(0)
    net = _tiny_transformer()
    net.train(training)  # dropout 0, so training mode is deterministic too
    src, valid = torch.randint(0, 12, (2, 5)), torch.tensor([5, 3])
    tgt = torch.randint(0, 12, (2, 6))
    changed = tgt.clone()
    changed[:, 4:] = (changed[:, 4:] + 1) % 12  # change steps 4 and 5 only
    out1, _ = net(src, tgt, valid)
    out2, _ = net(src, changed, valid)
    torch.testing.assert_close(out1[:, :4], out2[:, :4])
    assert not torch.allclose(out1[:, 4:], out2[:, 4:])


def test_decoding_token_by_token_equals_decoding_at_once_book_bug_position_zero() -> None:
    torch.manual_seed(0)
    net = _tiny_transformer()
    net.eval()
    src, valid, tgt = torch.randint(0, 12, (2, 5)), torch.tensor([5, 3]), torch.randint(0, 12, (2, 6))
    enc = net.encoder(src, valid)
    at_once, _ = net.decoder(tgt, net.decoder.init_state(enc, valid))
    state, steps = net.decoder.init_state(enc, valid), []
    for t in range(tgt.shape[1]):  # the book encodes each of these tokens as position 0
        out, state = net.decoder(tgt[:, t: t + 1], state)
        steps.append(out)
    torch.testing.assert_close(torch.cat(steps, 1), at_once, rtol=1e-4, atol=1e-5)


def test_a_tiny_transformer_learns_to_copy(no_smoke, capsys) -> None:
    torch.manual_seed(0)
    vocab = d2l.Vocab([list("abcdefgh")], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    lines = [["abcdefgh"[i] for i in torch.randint(0, 8, (3,)).tolist()] for _ in range(16)]
    array, valid_len = d2l.build_array_nmt(lines, vocab, 5)
    data_iter = d2l.load_array((array, valid_len, array, valid_len), 16)
    net = _tiny_transformer(len(vocab), dropout=0.0)
    final = d2l.train_seq2seq(net, data_iter, 0.01, 150, vocab, "cpu")
    assert final < 0.01, final  # an untrained model: about 2.5 (ln 12)
    for line in lines[:4]:
        translation, weights = d2l.predict_seq2seq(net, " ".join(line), vocab, vocab, 5, "cpu", True)
        assert translation == " ".join(line) and len(weights) == 4  # 3 tokens and <eos>


def test_show_heatmaps_takes_the_books_input_and_explains_a_wrong_shape() -> None:
    d2l.show_heatmaps(torch.eye(10).reshape((1, 1, 10, 10)), xlabel="Keys", ylabel="Queries")
    with pytest.raises(ValueError, match="4-D"):
        d2l.show_heatmaps(torch.eye(10), xlabel="Keys", ylabel="Queries")
