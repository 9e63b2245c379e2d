"""The storage bill: one set of rules, checked line by line on models small enough to count by hand."""

import numpy as np
import pytest

from minicompress.bill import storage_bill
from minicompress.integer import IntegerMLP
from minicompress.nn import MLP, Linear, Sequential
from minicompress.prune import MaskedLinear, encode_model, share_weights
from minicompress.quant import prepare_qat, quantize_model, round_model


def test_float_and_low_precision_models():
    m = MLP((4, 6, 3), rng=0)                                   # weights 24 + 18, biases 6 + 3: 51 parameters
    assert storage_bill(m).total == 4 * 51
    assert storage_bill(round_model(m, "float16")).total == 2 * 51
    assert storage_bill(round_model(m, "bfloat16")).total == 2 * 51


def test_post_training_quantized_models():
    m = MLP((4, 6, 3), rng=0)
    w = storage_bill(quantize_model(m, 4, mode="weight_only", per_channel=True))
    # codes ⌈24·4/8⌉ + ⌈18·4/8⌉ = 12 + 9; a float32 step per channel 4·(6 + 3); float32 biases 4·(6 + 3)
    assert w.total == 12 + 9 + 36 + 36
    s = storage_bill(quantize_model(m, 4, 8, mode="static", per_channel=False, calib=np.ones((2, 4), np.float32)))
    # one step per layer 4·2; the static input range of each layer: a float32 step and a one-byte zero point
    assert s.total == 12 + 9 + 4 * 2 + 36 + 2 * (4 + 1)
    d = storage_bill(quantize_model(m, 4, 8, mode="dynamic", per_channel=False))
    assert d.total == 12 + 9 + 4 * 2 + 36                       # a dynamic range is measured, not stored
    three = storage_bill(quantize_model(m, 3, mode="weight_only", per_channel=False))
    assert three.total == 9 + 7 + 4 * 2 + 36                    # ⌈24·3/8⌉ = 9, ⌈18·3/8⌉ = 7: packed at 3 bits


def test_an_affine_zero_point_takes_the_bytes_its_codes_need():
    m = MLP((4, 6, 3), rng=0)
    a4 = storage_bill(quantize_model(m, 4, mode="weight_only", weight_scheme="affine"))
    assert a4.total == 12 + 9 + 36 + 9 * 1 + 36                 # a 4-bit zero point fits a byte: 9 channels
    a12 = storage_bill(quantize_model(m, 12, mode="weight_only", weight_scheme="affine"))
    assert a12.total == 36 + 27 + 36 + 9 * 2 + 36               # ⌈24·12/8⌉ + ⌈18·12/8⌉; a 12-bit one takes two


def test_integer_only_models():
    m = MLP((8, 16, 4), rng=0)
    X = np.random.default_rng(0).uniform(0, 1, (10, 8)).astype(np.float32)
    # input step 4 + input zero point 1; per layer: int32 biases, int32 M0 and int8 shift per channel,
    # one output zero point; the output step 4
    fixed = 4 + 1 + 16 * (4 + 4 + 1) + 1 + 4 * (4 + 4 + 1) + 1 + 4
    for bits in (8, 4, 3, 2):
        assert storage_bill(IntegerMLP.from_float(m, X, bits)).total == fixed + -(-128 * bits // 8) + -(-64 * bits // 8)


def test_trained_quantized_models():
    m = MLP((5, 4, 3), rng=0)
    calib = np.random.default_rng(0).uniform(0, 1, (4, 5)).astype(np.float32)
    # codes ⌈20·3/8⌉ + ⌈12·3/8⌉ = 8 + 5; steps 4·(4 + 3); biases 4·(4 + 3)
    qat = storage_bill(prepare_qat(m, 3, 8, calib=calib))
    assert qat.total == 8 + 5 + 28 + 28 + 2 * (4 + 1)          # QAT: each input's step and zero point
    lsq = storage_bill(prepare_qat(m, 3, 8, method="lsq", calib=calib))
    assert lsq.total == 8 + 5 + 28 + 28 + 2 * 4                 # LSQ: unsigned inputs with z = 0, a step only


def _masked():
    """One 2×8 layer that keeps weights 0 and 9 (row-major): gaps 0 and 8."""
    lin = Linear(8, 2, rng=0)
    mask = np.zeros((2, 8))
    mask.flat[[0, 9]] = 1
    return Sequential(MaskedLinear(lin, mask))


def test_pruned_and_shared_models_by_hand():
    # 3-bit gaps hold at most 7: the gap of 8 needs a padding entry (gap 7, no weight), then gap 0: 3 entries
    pruned = storage_bill(_masked(), index_bits=3)
    headers = 11 + 28                                          # file: magic, version, layers, CRC; one layer
    assert pruned.total == 3 * 4 + 2 + 2 * 4 + headers         # values, ⌈3·3/8⌉ = 2 B of gaps, biases
    shared = storage_bill(share_weights(_masked(), k=2), index_bits=3)
    # codebook 2·4; indices ⌈log2(2 + 1)⌉ = 2 bits: ⌈3·2/8⌉ = 1 B; gaps 2 B; biases 8
    assert shared.total == 8 + 1 + 2 + 8 + headers


def test_the_huffman_file_is_billed_from_its_own_bytes():
    model = share_weights(_masked(), k=2)
    data, breakdown = encode_model(model, 3)
    bill = storage_bill(model, index_bits=3, coding="huffman")
    assert bill.total == len(data) == breakdown.total


def test_a_bill_prints_every_line_and_its_total():
    text = str(storage_bill(quantize_model(MLP((4, 3), rng=0), 2, mode="weight_only")))
    assert "layer 1 weight codes, 2-bit" in text and text.splitlines()[-1].split()[-1] == str(3 + 12 + 12)


def test_unknown_models_are_refused():
    with pytest.raises(TypeError, match="storage_bill takes a model"):
        storage_bill(np.zeros(3))
