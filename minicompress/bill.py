"""The storage bill: every byte a compressed model stores, line by line, counted by one set of rules.

    bytes of a line = ⌈count · bits / 8⌉            (codes are packed: 16 two-bit codes fill 4 bytes)
    total           = Σ lines

The rules, the same for every model, so that every ``ratio`` compares like with like:

* **weight codes** are packed at their bit width, ``⌈n·b/8⌉`` per layer
  (3-bit codes take 3 bits, even where a kernel unpacks them to int8 to compute);
* **steps q** are float32, one per channel (or per tensor); a **zero point**
  takes the whole bytes its codes need (one byte up to 8 bits), and a
  symmetric scheme stores none;
* **biases** are float32 in a float or fake-quantized model and int32 in an
  integer-only one: 4 bytes either way; a float model is billed in float32
  (the ratios' reference) whatever dtype it computes in;
* an integer-only model stores each channel's **multiplier** M0 (int32) and
  **shift** n (int8), one zero point per activation tensor, and only the input
  and output steps (every other step is folded into M0·2^(−31−n));
* **activations** cost nothing in weight-only and dynamic quantization; a
  static (or trained) range costs its step and zero point per layer;
* pruned and weight-shared models are billed as the Deep Compression file
  stores them: one entry per kept weight plus padding entries (a gap of
  ``index_bits`` and a float32 value or a ``⌈log2(k + 1)⌉``-bit cluster index),
  the codebooks, the biases and the file's headers; the Huffman-coded file is
  billed from its own bytes.

Layer shapes (the architecture) are not billed, except inside the Deep
Compression file, which stores its own. The tour's ``bytes`` column and every
``ratio`` come from :func:`storage_bill`; tutorial 3 prints a bill whole.

Examples
--------
>>> from minicompress.nn import MLP
>>> print(storage_bill(MLP((4, 3, 2), rng=0)))     # doctest: +NORMALIZE_WHITESPACE
storage bill: float32 MLP 4-3-2
  part                                          count  bits each      bytes
  layer 1 weights, float32                         12         32         48
  layer 1 biases, float32                           3         32         12
  layer 2 weights, float32                          6         32         24
  layer 2 biases, float32                           2         32          8
  total                                                                  92
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .integer import IntegerMLP
from .nn import Linear, ReLU, Sequential
from .prune import MaskedLinear, SharedLinear, encode_model, encode_positions
from .prune.storage import FILE_HEADER_BYTES, LAYER_HEADER_BYTES
from .quant import LowPrecisionMLP, QuantizedMLP
from .quant.fixed_point import FLOAT_FORMATS
from .quant.qat import LSQLinear, QATLinear

FLOAT32, INT32, SHIFT = 32, 32, 8


def zero_point_bits(code_bits: int) -> int:
    """A zero point is a code, stored in whole bytes: 8 bits up to 8-bit codes, 16 beyond."""
    return 8 * -(-int(code_bits) // 8)


@dataclass
class Line:
    part: str
    count: int
    bits: int | None          # bits per item; None for a measured stream (``nbytes`` given)
    nbytes: int

    def __str__(self):
        bits = "" if self.bits is None else self.bits
        return f"  {self.part:<44}{self.count:>7}{bits:>11}{self.nbytes:>11}"


@dataclass
class Bill:
    name: str
    lines: list = field(default_factory=list)

    def add(self, part: str, count: int, bits: int) -> "Bill":
        """A line of ``count`` items of ``bits`` bits each, packed: ⌈count·bits/8⌉ bytes."""
        count = int(count)
        self.lines.append(Line(part, count, int(bits), -(-count * int(bits) // 8)))
        return self

    def add_bytes(self, part: str, count: int, nbytes: int) -> "Bill":
        """A line whose size was measured (a Huffman stream, a table)."""
        self.lines.append(Line(part, int(count), None, int(nbytes)))
        return self

    @property
    def total(self) -> int:
        return int(sum(line.nbytes for line in self.lines))

    def __str__(self):
        head = f"  {'part':<44}{'count':>7}{'bits each':>11}{'bytes':>11}"
        return "\n".join([f"storage bill: {self.name}", head, *map(str, self.lines),
                          f"  {'total':<44}{'':>7}{'':>11}{self.total:>11}"])


def storage_bill(model, index_bits: int = 5, coding: str = "fixed") -> Bill:
    """The bill of any model minicompress builds (float, fake-quantized, QAT/LSQ, integer-only, pruned, shared).

    ``index_bits`` and ``coding`` ("fixed" or "huffman") apply to pruned and
    weight-shared models: gaps of ``index_bits`` bits, and fixed-width fields
    or the Huffman-coded file.
    """
    if coding not in ("fixed", "huffman"):
        raise ValueError(f"coding must be 'fixed' or 'huffman' (how a pruned, shared model stores its "
                         f"indices and gaps), got {coding!r}")
    if isinstance(model, IntegerMLP):
        return _integer(model)
    if not isinstance(model, Sequential):
        raise TypeError(f"storage_bill takes a model minicompress builds (a Sequential or an IntegerMLP), "
                        f"got {type(model).__name__}")
    kinds = {type(m) for m in model if not isinstance(m, ReLU)}
    if kinds <= {QATLinear, LSQLinear} and kinds:
        return _trained_quantized(model)
    if isinstance(model, QuantizedMLP):
        return _fake_quantized(model)
    if kinds == {SharedLinear}:
        return _huffman_file(model, index_bits) if coding == "huffman" else _sparse(model, index_bits, shared=True)
    if kinds <= {MaskedLinear, Linear} and MaskedLinear in kinds:
        return _sparse(model, index_bits, shared=False)
    if kinds == {Linear}:
        return _float(model)
    raise TypeError(f"storage_bill has no rule for a model of layers {sorted(k.__name__ for k in kinds)}")


def _linears(model):
    return [m for m in model if not isinstance(m, ReLU)]


def _float(model) -> Bill:
    fmt = model.fmt if isinstance(model, LowPrecisionMLP) else "float32"
    bits = 1 + sum(FLOAT_FORMATS[fmt])
    sizes = [_linears(model)[0].in_features] + [m.out_features for m in _linears(model)]
    b = Bill(f"{fmt} MLP {'-'.join(map(str, sizes))}")
    for i, m in enumerate(_linears(model), 1):
        b.add(f"layer {i} weights, {fmt}", m.weight.data.size, bits)
        if m.bias is not None:
            b.add(f"layer {i} biases, {fmt}", m.bias.data.size, bits)
    return b


def _fake_quantized(model) -> Bill:
    b = Bill("post-training quantized MLP")
    for i, m in enumerate(_linears(model), 1):
        if not hasattr(m, "weight_qp"):                     # a layer left in float (mixed precision)
            b.add(f"layer {i} weights, float32", m.weight.data.size, FLOAT32)
            b.add(f"layer {i} biases, float32", m.bias.data.size, FLOAT32)
            continue
        qp = m.weight_qp
        b.add(f"layer {i} weight codes, {qp.bits}-bit", m.weight_codes.size, qp.bits)
        b.add(f"layer {i} weight steps q, float32", qp.num_channels, FLOAT32)
        if qp.scheme == "affine":
            b.add(f"layer {i} weight zero points", qp.num_channels, zero_point_bits(qp.bits))
        b.add(f"layer {i} biases, float32", m.bias.data.size, FLOAT32)
        if m.act is not None and m.act.mode == "static":
            b.add(f"layer {i} input step q, float32", 1, FLOAT32)
            b.add(f"layer {i} input zero point", 1, zero_point_bits(m.act.bits))
    return b


def _trained_quantized(model) -> Bill:
    b = Bill("quantization-aware trained MLP")
    for i, m in enumerate(_linears(model), 1):
        b.add(f"layer {i} weight codes, {m.weight_bits}-bit", m.weight.data.size, m.weight_bits)
        b.add(f"layer {i} weight steps q, float32", m.weight_step().size, FLOAT32)
        b.add(f"layer {i} biases, float32", m.bias.data.size, FLOAT32)
        if m.act_bits is not None:
            b.add(f"layer {i} input step q, float32", 1, FLOAT32)
            if isinstance(m, QATLinear):           # LSQ's activations are unsigned with z = 0: nothing stored
                b.add(f"layer {i} input zero point", 1, zero_point_bits(m.act_bits))
    return b


def _integer(model: IntegerMLP) -> Bill:
    b = Bill("integer-only MLP")
    b.add("input step q, float32", 1, FLOAT32)
    b.add("input zero point", 1, zero_point_bits(8))
    for i, L in enumerate(model.layers, 1):
        out = L.bias.size
        b.add(f"layer {i} weight codes, {L.weight_bits}-bit", L.w_t.size, L.weight_bits)
        b.add(f"layer {i} biases, int32", out, INT32)
        b.add(f"layer {i} multipliers M0, int32", out, INT32)
        b.add(f"layer {i} shifts n, int8", out, SHIFT)
        b.add(f"layer {i} output zero point", 1, zero_point_bits(8))
    b.add("output step q, float32", 1, FLOAT32)
    return b


def _entries(m, index_bits: int) -> int:
    """Kept weights plus the padding entries that bridge gaps longer than 2^index_bits − 1."""
    keep = m.mask.astype(bool)
    gaps, _ = encode_positions(keep, np.zeros(keep.shape, np.int64), index_bits, pad_symbol=1)
    return len(gaps)


def _headers(b: Bill, n_layers: int) -> None:
    b.add_bytes("file header and CRC-32", 1, FILE_HEADER_BYTES)
    b.add_bytes("layer headers", n_layers, n_layers * LAYER_HEADER_BYTES)


def _sparse(model, index_bits: int, shared: bool) -> Bill:
    """Pruned (float32 values) or pruned and shared (codebook + fixed-width indices), with gaps."""
    kind = "pruned, weight-shared MLP: fixed-width indices" if shared else "pruned MLP: float32 values"
    b = Bill(f"{kind} and {index_bits}-bit gaps")
    layers = _linears(model)
    for i, m in enumerate(layers, 1):
        entries = _entries(m, index_bits) if hasattr(m, "mask") else m.weight.data.size
        if shared:
            k = m.codebook.data.size
            index = max(1, math.ceil(math.log2(k + 1)))      # k clusters + the padding symbol
            b.add(f"layer {i} codebook, float32", k, FLOAT32)
            b.add(f"layer {i} cluster indices, {index}-bit", entries, index)
        else:
            b.add(f"layer {i} values, float32 (kept + padding)", entries, FLOAT32)
        b.add(f"layer {i} gaps, {index_bits}-bit", entries, index_bits)
        b.add(f"layer {i} biases, float32", m.bias.data.size, FLOAT32)
    _headers(b, len(layers))
    return b


def _huffman_file(model, index_bits: int) -> Bill:
    data, br = encode_model(model, index_bits)
    b = Bill("the Deep Compression file (Huffman-coded)")
    n = len(br.per_layer)
    b.add_bytes("codebooks, float32", n, br.codebooks)
    b.add_bytes("biases, float32", n, br.biases)
    b.add_bytes("cluster indices, Huffman stream", n, br.index_streams)
    b.add_bytes("gaps, Huffman stream", n, br.position_streams)
    b.add_bytes("Huffman tables", 2 * n, br.huffman_tables)
    _headers(b, n)
    if b.total != len(data):
        raise AssertionError(f"the bill counts {b.total} bytes but the file has {len(data)}")
    return b
