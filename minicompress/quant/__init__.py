"""Quantization: real numbers to integer codes and back.

Conventions used everywhere in minicompress:

* ``q`` (the seed's name, §4.1) and ``scale`` mean the same thing: the step
  between two neighbouring codes.
* quantize:   ŵ = clamp(round(w/q) + z, qmin, qmax)     (codes, integers)
* dequantize: w̃ = q · (ŵ − z)                            (the reals they stand for)
* ``z`` is the zero point, the code of real 0; symmetric quantization has z = 0.
* per-channel steps run along axis 0 of a Linear weight (out, in): one per output neuron.
* the default rounding is the seed's 四舍五入, ties away from zero (``half_away``).

One concept per file:

    rounding.py     the rounding modes
    uniform.py      qrange, quantize, dequantize, fake_quantize
    qparams.py      choosing q and z (symmetric, affine, per-channel)
    fixed_point.py  Qm.n fixed point, float16 and bfloat16
    seed_loss.py    the seed's "quantization loss" and the reconstruction error
    error.py        MSE, SQNR, rounding vs clipping error, explain_quantize
    observers.py    calibration for static quantization
    model.py        quantize_model: static, dynamic and weight-only PTQ of an MLP
"""

from .error import QuantError, explain_quantize, quant_error
from .fixed_point import fixed_codes, fixed_range, round_to_float, to_fixed, to_low_precision
from .model import quantize_model, round_model
from .observers import make_observer
from .qparams import QParams, choose_qparams, qparams_from_range
from .rounding import ROUNDING_MODES, apply_rounding
from .seed_loss import reconstruction_error, seed_quantization_loss
from .uniform import dequantize, fake_quantize, qrange, quantize

__all__ = ["QuantError", "explain_quantize", "quant_error", "fixed_codes", "fixed_range", "round_to_float",
           "to_fixed", "to_low_precision", "quantize_model", "round_model", "make_observer", "QParams",
           "choose_qparams", "qparams_from_range", "ROUNDING_MODES", "apply_rounding",
           "reconstruction_error", "seed_quantization_loss", "dequantize", "fake_quantize", "qrange",
           "quantize"]
