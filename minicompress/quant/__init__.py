"""Quantization: real numbers to integer codes and back.

Conventions used everywhere in minicompress:

* the step is ``q`` (the seed's name, §4.1), in code and in text; PyTorch,
  TFLite and ONNX call it the ``scale``, and they mean the same thing: the
  distance between two neighbouring codes;
* quantize:   ŵ = clamp(round(w/q) + z, qmin, qmax)     (codes, integers)
* dequantize: w̃ = q · (ŵ − z)                            (the reals they stand for)
* ``z`` is the zero point, the code of real 0; symmetric quantization has z = 0;
* per-channel steps run along axis 0 of a Linear weight (out, in): one per output neuron;
* the smallest step is ``qparams.MIN_STEP`` (float32's epsilon), for every quantizer;
* the default rounding is the seed's 四舍五入, ties away from zero (``half_away``).

One concept per file:

    adaround.py     AdaRound: learned up/down choices (rectified sigmoid, annealed regulariser)
    calibrated.py   data-aware weight PTQ of a whole MLP, layer by layer: nearest, GPTQ, AdaRound, CLE + BC
    conventions.py  how PyTorch, TFLite and ONNX Runtime choose q and z, side by side
    equalize.py     cross-layer equalization and bias correction (data-free quantization)
    error.py        MSE, SQNR, rounding vs clipping error, explain_quantize
    fake_quant.py   fake_quantize in NumPy and fake_quantize_ste (straight-through), one signature
    fixed_point.py  Qm.n fixed point, float16 and bfloat16
    gptq.py         GPTQ (Cholesky of H⁻¹, lazy blocks) and OBQ's exact greedy order
    model.py        quantize_model: static, dynamic and weight-only PTQ of an MLP; round_model
    observers.py    calibration ranges for static quantization (and QAT's moving range)
    optimal_rounding.py  the best rounding of a small layer by brute force, nearest and stochastic beside it
    qat.py          quantization-aware training and learned step sizes (LSQ)
    qparams.py      choosing q and z (symmetric, affine, per-channel), the QParams quantizer
    rounding.py     the rounding modes
    seed_loss.py    the seed's "quantization loss" and the reconstruction error
    sensitivity.py  Hessian-vector products, Hutchinson's trace, the ½δᵀHδ prediction
    step_search.py  choosing a weight step: max, percentile, or least squared error
    uniform.py      qrange, quantize (its four steps), dequantize
"""

from .conventions import activation_conventions, conventions_table, weight_conventions
from .error import QuantError, explain_quantize, quant_error
from .fake_quant import fake_quantize, fake_quantize_ste
from .fixed_point import fixed_codes, fixed_range, round_to_float, to_fixed, to_low_precision
from .model import LowPrecisionMLP, QuantizedMLP, quantize_model, round_model
from .observers import make_observer
from .qat import LSQLinear, QATLinear, lsq_quant, prepare_qat, to_float_mlp
from .qparams import MIN_STEP, QParams, choose_qparams, qparams_from_range
from .rounding import ROUNDING_MODES, apply_rounding
from .seed_loss import reconstruction_error, seed_quantization_loss
from .uniform import dequantize, qrange, quantize, quantize_steps

__all__ = ["activation_conventions", "conventions_table", "weight_conventions", "QuantError", "explain_quantize",
           "quant_error", "fake_quantize", "fake_quantize_ste", "fixed_codes", "fixed_range", "round_to_float",
           "to_fixed", "to_low_precision", "LowPrecisionMLP", "QuantizedMLP", "quantize_model", "round_model",
           "make_observer", "LSQLinear", "QATLinear", "lsq_quant", "prepare_qat", "to_float_mlp", "MIN_STEP",
           "QParams", "choose_qparams", "qparams_from_range", "ROUNDING_MODES", "apply_rounding",
           "reconstruction_error", "seed_quantization_loss", "dequantize", "qrange", "quantize", "quantize_steps"]
