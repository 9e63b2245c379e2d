"""Quantizing a whole MLP (post-training), simulated with fake quantization.

    y = A(x) · Q(W)ᵀ + b

Q rounds each weight to its code and back, once (per tensor, or per output
channel: one step per row of W). A does the same to the layer's input
activations, with a range that is

* ``static``: fixed beforehand from calibration data by an observer;
* ``dynamic``: measured from each batch's own min and max at run time;
* absent, for ``weight_only`` quantization.

The result is still a float model, so its accuracy can be measured with the
ordinary ``evaluate``; the weights it uses are exactly the values the
integer codes stand for. The float model passed in is not modified.

What such a model stores is counted by ``minicompress.bill.storage_bill``.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, Module, Parameter, ReLU, Sequential
from .fixed_point import FLOAT_FORMATS, to_low_precision
from .observers import make_observer
from .qparams import QParams, choose_qparams, qparams_from_range

MODES = ("static", "dynamic", "weight_only")


class ActivationQuantizer:
    """A(x): fake-quantize activations with a fixed (static) or per-batch (dynamic) range."""

    def __init__(self, bits: int, mode: str, qparams: QParams | None = None, scheme: str = "affine"):
        self.bits, self.mode, self.qp, self.scheme = bits, mode, qparams, scheme

    def __call__(self, x: np.ndarray) -> np.ndarray:
        qp = self.qp if self.mode == "static" else qparams_from_range(x.min(), x.max(), self.bits, self.scheme)
        return qp.fake_quantize(x).astype(x.dtype)

    def __repr__(self):
        return f"ActivationQuantizer({self.mode}, {self.bits}-bit{', ' + str(self.qp) if self.qp else ''})"


class QuantLinear(Module):
    """A Linear layer whose weights are fake-quantized and whose input may be too."""

    def __init__(self, linear: Linear, weight_qp: QParams, act: ActivationQuantizer | None):
        super().__init__()
        w = linear.weight.data
        self.weight_qp = weight_qp
        self.weight_codes = weight_qp.quantize(w)          # (out, in) int32
        self.weight = Parameter(weight_qp.dequantize(self.weight_codes).astype(w.dtype))
        self.bias = Parameter(linear.bias.data.copy()) if linear.bias is not None else None
        self.act = act
        self.in_features, self.out_features = linear.in_features, linear.out_features

    @classmethod
    def from_codes(cls, linear: Linear, weight_qp: QParams, codes, bias=None) -> "QuantLinear":
        """A weight-only layer with codes chosen elsewhere (GPTQ, AdaRound, ...) instead of nearest rounding.

        ``bias`` replaces the float bias (bias correction); the codes must lie in the quantizer's range.
        """
        codes = np.asarray(codes)
        if codes.shape != linear.weight.data.shape:
            raise ValueError(f"codes of shape {codes.shape} for a weight of shape {linear.weight.data.shape}")
        if codes.min() < weight_qp.qmin or codes.max() > weight_qp.qmax or not np.all(codes == np.round(codes)):
            raise ValueError(f"codes must be whole numbers in [{weight_qp.qmin}, {weight_qp.qmax}]")
        layer = cls(linear, weight_qp, None)
        layer.weight_codes = codes.astype(layer.weight_codes.dtype)
        layer.weight.data = weight_qp.dequantize(layer.weight_codes).astype(linear.weight.data.dtype)
        if bias is not None:
            layer.bias.data = np.asarray(bias, dtype=linear.weight.data.dtype)
        return layer

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if self.act is not None:
            x = Tensor(self.act(x.data))   # post-training simulation: no gradient through A
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"{self.in_features}→{self.out_features}, weights {self.weight_qp}, act {self.act}"


class QuantizedMLP(Sequential):
    """The fake-quantized copy of an MLP (its layers are ``QuantLinear`` and ``ReLU``)."""


class LowPrecisionMLP(Sequential):
    """A copy of an MLP whose parameters are stored in the float format ``fmt``."""

    def __init__(self, *layers, fmt: str = "float32"):
        super().__init__(*layers)
        self.fmt = fmt


def _layers(model):
    if not isinstance(model, Sequential) or not all(isinstance(m, (Linear, ReLU)) for m in model):
        raise TypeError("quantize_model expects a Sequential of Linear and ReLU layers (an MLP), "
                        f"got {type(model).__name__}")
    return list(model)


def layer_inputs(model, X: np.ndarray) -> list:
    """The input of every Linear of ``model`` for the batch ``X`` (float forward)."""
    inputs, h = [], Tensor(X)
    for m in _layers(model):
        if isinstance(m, Linear):
            inputs.append(h.data)
        h = m(h)
    return inputs


def quantize_model(model, weight_bits: int = 8, act_bits: int | None = 8, mode: str = "static",
                   per_channel: bool = True, calib=None, observer: str = "minmax",
                   weight_scheme: str = "symmetric", act_scheme: str = "affine",
                   calib_batch: int = 64) -> QuantizedMLP:
    """Post-training quantization of an MLP, simulated with fake quantization.

    Parameters
    ----------
    weight_bits : int
        Bits per weight code (1-16).
    act_bits : int or None
        Bits per activation code; ignored for ``weight_only``.
    mode : {"static", "dynamic", "weight_only"}
    per_channel : bool
        One weight step per output neuron (row of W) instead of one per layer.
    calib : ndarray, optional
        Inputs for calibrating static activation ranges (required for "static").
    observer : {"minmax", "moving_average", "percentile", "mse"}
        How static ranges are chosen from the calibration batches.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {MODES}")
    layers = _layers(model)
    observers = None
    if mode == "static":
        if calib is None or len(calib) == 0:
            raise ValueError("static quantization needs calibration data (calib=X): the activation "
                             "ranges are fixed from it before deployment")
        observers = [make_observer(observer) for m in layers if isinstance(m, Linear)]
        for start in range(0, len(calib), calib_batch):
            for obs, x in zip(observers, layer_inputs(model, calib[start:start + calib_batch])):
                obs.observe(x)
    out, i = [], 0
    for m in layers:
        if isinstance(m, ReLU):
            out.append(ReLU())
            continue
        wqp = choose_qparams(m.weight.data, weight_bits, weight_scheme, axis=0 if per_channel else None)
        if mode == "weight_only":
            act = None
        elif mode == "static":
            act = ActivationQuantizer(act_bits, "static", observers[i].qparams(act_bits, act_scheme), act_scheme)
        else:
            act = ActivationQuantizer(act_bits, "dynamic", scheme=act_scheme)
        out.append(QuantLinear(m, wqp, act))
        i += 1
    return QuantizedMLP(*out).eval()


def round_model(model, fmt: str) -> LowPrecisionMLP:
    """A copy of ``model`` whose parameters are rounded to ``fmt`` (float16, bfloat16, float32).

    Computation stays in the model's dtype; only the stored values change, as
    when weights are kept in 16 bits.
    """
    if fmt not in FLOAT_FORMATS:
        raise ValueError(f"unknown float format {fmt!r}; choose one of {sorted(FLOAT_FORMATS)}")
    copy = LowPrecisionMLP(*[_clone(m) for m in _layers(model)], fmt=fmt)
    for p in copy.parameters():
        p.data = to_low_precision(p.data, fmt).astype(p.dtype)
    return copy.eval()


def _clone(m):
    if isinstance(m, ReLU):
        return ReLU()
    c = Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=m.weight.dtype)
    c.load_state_dict(m.state_dict())
    return c
