"""Integer-only inference: the MLP computed in int8 × int8 → int32 with fixed-point requantization.

    mlp.py      IntegerMLP: offline float set-up (from_float), runtime integer forward pass,
                and the same quantization simulated in float64
    replay.py   every integer of one neuron's computation, next to the real number it stands for
"""

from .mlp import IntegerMLP, IntLayer, simulate_layer
from .replay import replay

__all__ = ["IntegerMLP", "IntLayer", "simulate_layer", "replay"]
