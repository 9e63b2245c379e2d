"""Deep Compression: pruning, weight sharing, Huffman and gap coding, the file, and its errors."""

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minicompress import Tensor
from minicompress.bill import storage_bill
from minicompress.data import digits_split, make_moons
from minicompress.experiments import shared_teacher
from minicompress.nn import MLP
from minicompress.optim import Adam
from minicompress.prune.huffman import DecodeError, canonical_codes, code_lengths, decode, encode
from minicompress.prune.magnitude import MaskedLinear, magnitude_masks, prune, sparsity_report
from minicompress.prune.pipeline import compress
from minicompress.prune.share import SharedLinear, kmeans_1d, share_weights, sharing_ratio
from minicompress.prune.sparse import decode_positions, encode_positions
from minicompress.prune.storage import CorruptModelError, decode_model, encode_model
from minicompress.train import fit, predict_logits

# --- pruning -------------------------------------------------------------------------------------

def test_masks_by_hand_layer_and_global():
    a, b = np.array([0.9, -0.05, 0.3, -0.7]), np.array([0.01, 0.02, 5.0, 0.04])
    assert magnitude_masks([a], 0.5)[0].tolist() == [True, False, False, True]
    la, lb = magnitude_masks([a, b], 0.5, "layer")
    ga, gb = magnitude_masks([a, b], 0.5, "global")
    assert la.sum() == lb.sum() == 2
    assert ga.tolist() == [True, False, True, True] and gb.tolist() == [False, False, True, False]


def test_masks_stay_fixed_through_retraining():
    data = make_moons(128, rng=0)
    m = prune(MLP((2, 16, 2), rng=0), 0.6)
    masks = [l.mask.copy() for l in m if isinstance(l, MaskedLinear)]
    fit(m, data, epochs=5, optimizer=Adam(m.parameters(), lr=0.01))
    for l, mask in zip([l for l in m if isinstance(l, MaskedLinear)], masks):
        assert np.all(l.weight.data[mask == 0] == 0)
    rep = sparsity_report(m)
    assert all(abs(r[3] - 0.6) < 0.05 for r in rep)


def test_pruning_bad_inputs():
    for sp in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"sparsity must lie in \[0, 1\)"):
            magnitude_masks([np.ones(3)], sp)
    with pytest.raises(ValueError, match="unknown scope"):
        magnitude_masks([np.ones(3)], 0.5, "row")


# --- weight sharing ------------------------------------------------------------------------------

def test_kmeans_by_hand_and_inits():
    c, idx = kmeans_1d([0.1, 0.12, 0.5, 0.52, 0.9], 3)
    assert np.allclose(c, [0.11, 0.51, 0.9]) and idx.tolist() == [0, 0, 1, 1, 2]
    v = np.random.default_rng(0).normal(size=500)
    for init in ("linear", "random", "density"):
        c1, _ = kmeans_1d(v, 8, init, rng=3)
        c2, _ = kmeans_1d(v, 8, init, rng=3)
        assert np.array_equal(c1, c2)                                   # deterministic for a seed
    with pytest.raises(ValueError, match="k must be a whole number >= 1"):
        kmeans_1d(v, 0)
    with pytest.raises(ValueError, match="k = 600 clusters for only 500 weights"):
        kmeans_1d(v, 600)
    c, idx = kmeans_1d(np.full(10, 0.3), 1)                             # all-equal weights
    assert np.allclose(c, [0.3]) and idx.tolist() == [0] * 10


def test_centroid_gradient_is_the_sum_of_its_weights_gradients(rng):
    layer = SharedLinear(MaskedLinear(MLP((6, 4), rng=0)[0], np.ones((4, 6), np.float32)), 3)
    x = rng.normal(size=(5, 6)).astype(np.float32)
    out = layer(Tensor(x))
    (out * np.arange(4.0)).sum().backward()
    g_w = (np.arange(4.0)[None, :] * np.ones((5, 1))).T @ x             # ∂L/∂W, (out, in)
    expected = np.bincount(layer.idx.ravel(), weights=g_w.ravel(), minlength=3)
    assert np.allclose(layer.codebook.grad, expected, atol=1e-4)


def test_sharing_ratio_matches_the_paper_example():
    assert sharing_ratio(16, 4) == 3.2


# --- Huffman and gap coding ------------------------------------------------------------------------

@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(0, 20)))
def test_huffman_round_trips(symbols):
    lengths = code_lengths(symbols)
    data, nbits = encode(symbols, lengths)
    assert np.array_equal(decode(data, nbits, len(symbols), lengths), symbols)
    if symbols.size:                                    # never worse than fixed-width codes + 1 bit
        assert nbits <= symbols.size * (np.ceil(np.log2(max(len(lengths), 2))) + 1)


def test_huffman_edge_cases_and_prefix_property():
    assert code_lengths(np.array([7, 7, 7])) == {7: 1}                # a single symbol
    data, nbits = encode(np.array([7, 7, 7]), {7: 1})
    assert nbits == 3 and decode(data, 3, 3, {7: 1}).tolist() == [7, 7, 7]
    assert code_lengths(np.array([], dtype=np.int64)) == {}
    codes = canonical_codes(code_lengths(np.array([0, 1, 2, 2, 3, 3, 3, 3, 4])))
    words = [format(c, f"0{l}b") for c, l in codes.values()]
    assert not any(a != b and b.startswith(a) for a in words for b in words)


def test_huffman_refuses_truncated_and_corrupted_streams():
    symbols = np.array([0, 1, 2, 2, 3, 3, 3, 3])
    lengths = code_lengths(symbols)
    data, nbits = encode(symbols, lengths)
    with pytest.raises(DecodeError, match="truncated"):
        decode(data, nbits - 3, len(symbols), lengths)
    with pytest.raises(DecodeError):
        decode(data, nbits, len(symbols) + 2, lengths)


@given(arrays(bool, st.integers(1, 200)), st.integers(1, 5))
def test_gap_coding_round_trips_with_padding(keep, bits):
    syms = np.arange(keep.size) % 7
    gaps, entries = encode_positions(keep, syms, bits, pad_symbol=99)
    assert gaps.max(initial=0) <= (1 << bits) - 1
    k2, cells = decode_positions(gaps, entries, keep.size, pad_symbol=99)
    assert np.array_equal(k2, keep) and np.array_equal(cells[keep], syms[keep])


# --- the file ----------------------------------------------------------------------------------------

def small_shared(sparsity=0.7, empty_layer=False):
    m = prune(MLP((6, 8, 3), rng=0), sparsity)
    if empty_layer:                                  # every weight of the last layer pruned
        m[2].mask[:] = 0
        m[2].weight.data[:] = 0
    return share_weights(m, 4)


@pytest.mark.parametrize("sparsity, empty", [(0.0, False), (0.7, False), (0.95, False), (0.5, True)])
def test_file_round_trips_to_identical_predictions(sparsity, empty):
    shared = small_shared(sparsity, empty)
    data, breakdown = encode_model(shared, index_bits=3)
    assert breakdown.total == len(data)
    decoded = decode_model(data)
    x = np.random.default_rng(0).normal(size=(20, 6)).astype(np.float32)
    assert np.array_equal(predict_logits(shared, x), predict_logits(decoded, x))


def test_file_refuses_damage():
    data, _ = encode_model(small_shared(), index_bits=3)
    with pytest.raises(CorruptModelError, match="does not start with 'MCDC'"):
        decode_model(b"NOPE" + data[4:])
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    with pytest.raises(CorruptModelError, match="checksum"):
        decode_model(bytes(flipped))
    for cut in (5, len(data) // 2, len(data) - 1):
        with pytest.raises(CorruptModelError):
            decode_model(data[:cut])
    with pytest.raises(TypeError, match="weight-shared MLP"):
        encode_model(MLP((3, 2)))


def _sealed(payload: bytes) -> bytes:
    """A payload with a valid CRC-32: what a deliberately crafted file looks like."""
    import zlib
    return payload + struct.pack("<I", zlib.crc32(payload))


def _layer_head_offset():
    from minicompress.prune.storage import MAGIC
    return len(MAGIC) + struct.calcsize("<BH")


def test_crafted_sizes_are_refused_before_anything_is_allocated():
    import tracemalloc

    from minicompress.prune.storage import LAYER_HEAD, MAGIC, VERSION
    head = MAGIC + struct.pack("<BH", VERSION, 1)
    crafted = {
        "huge layer": head + struct.pack(LAYER_HEAD, 65535, 65535, 4, 5, 0, 2**32 - 1),
        "huge entry count": head + struct.pack(LAYER_HEAD, 8, 6, 4, 5, 0, 2**32 - 1) + b"\0" * 56,
        "0×0 layer": head + struct.pack(LAYER_HEAD, 0, 0, 1, 5, 0, 0),
        "no layers": MAGIC + struct.pack("<BH", VERSION, 0),
        "65535 layers": MAGIC + struct.pack("<BH", VERSION, 65535),
    }
    for name, payload in crafted.items():
        tracemalloc.start()
        with pytest.raises(CorruptModelError):
            decode_model(_sealed(payload))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 1 << 20, (name, peak)


def _tamper(data: bytes, offset: int, new: bytes) -> bytes:
    payload = bytearray(data[:-4])
    payload[offset:offset + len(new)] = new
    return _sealed(bytes(payload))


def test_values_must_be_finite_and_widths_must_chain():
    from minicompress.prune.storage import LAYER_HEAD
    data, _ = encode_model(small_shared(), index_bits=3)
    first = _layer_head_offset() + struct.calcsize(LAYER_HEAD)          # the first layer's codebook
    with pytest.raises(CorruptModelError, match="NaN or infinite"):
        decode_model(_tamper(data, first, struct.pack("<f", float("nan"))))
    with pytest.raises(CorruptModelError, match="NaN or infinite"):
        decode_model(_tamper(data, first + 4, struct.pack("<f", float("inf"))))
    # the first layer claims 7 outputs instead of 8: the second layer's 8 inputs no longer chain
    with pytest.raises(CorruptModelError):
        decode_model(_tamper(data, _layer_head_offset(), struct.pack("<H", 7)))
    with pytest.raises(TypeError, match="reads bytes"):
        decode_model("MCDC")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=6),
       st.integers(0, 3))
def test_fuzz_a_damaged_file_with_a_valid_checksum_decodes_and_runs_or_is_refused(edits, cut):
    import time
    import tracemalloc
    data = _FUZZ_BASE
    payload = bytearray(data[:-4])
    for pos, value in edits:
        payload[pos % len(payload)] = value
    if cut:
        payload = payload[:len(payload) - cut * 7]
    tracemalloc.start()
    start = time.perf_counter()
    try:
        model = decode_model(_sealed(bytes(payload)))
    except CorruptModelError:
        model = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 8 << 20
    if model is not None:                                  # whatever it decoded must run on its own input width
        width = model[0].in_features
        out = predict_logits(model, np.ones((2, width), np.float32))
        assert np.all(np.isfinite(out))


_FUZZ_BASE = encode_model(small_shared(), index_bits=3)[0]


@pytest.mark.slow
def test_pipeline_reaches_30x_within_one_point_and_decodes_exactly():
    teacher, _ = shared_teacher()
    runs = [compress(teacher, digits_split(), seed=s) for s in range(2)]
    for r in runs:
        assert r["same_predictions"]
        ratio = storage_bill(teacher).total / storage_bill(r["shared"], coding="huffman").total
        assert ratio >= 30, ratio
    loss = np.mean([r["teacher_acc"] - r["decoded_acc"] for r in runs])
    assert loss <= 0.01, loss
