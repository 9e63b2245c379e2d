"""The tour's ``infer ms`` column, measured on every run (cached or not) and never stored.

A cached row keeps the accuracy, bytes and per-image results of its models,
not the models. What it keeps for timing is a recipe: the architecture and
the arithmetic the model computes with (float32, float16 or bfloat16 weights,
fake quantization with static or dynamic activation ranges, QAT or LSQ
layers, the integer-only kernels). ``measure`` builds a twin from the recipe
(the same layer sizes and the same operations, with weights drawn from a
seed) and times it classifying the test images: the fastest of 7 runs after
one warm-up, the least disturbed, as the benchmarks take it (a median moved
when this VM stalled for a few milliseconds: one cold tour printed 1.66 ms for
the int8 integer row, above the float teacher, where every other run gives
0.3-0.35 ms). The cost of these operations does not depend on the weights'
values, so the twin's time is the model's time on this machine, now.
"""

from __future__ import annotations

import time

import numpy as np


def recipe_of(model) -> dict:
    """What ``measure`` needs to rebuild a model of the same architecture and arithmetic."""
    from ..integer import IntegerMLP
    from ..nn import ReLU
    from ..quant.model import LowPrecisionMLP, QuantLinear
    from ..quant.qat import LSQLinear, QATLinear
    if isinstance(model, IntegerMLP):
        shapes = [L.w_t.shape for L in model.layers]
        return {"kind": "integer", "sizes": [shapes[0][0], *(s[1] for s in shapes)],
                "bits": int(model.layers[0].weight_bits)}
    layers = [m for m in model if not isinstance(m, ReLU)]
    shapes = [m.weight.data.shape for m in layers]          # (out, in), as every linear layer here stores it
    sizes = [int(shapes[0][1]), *(int(s[0]) for s in shapes)]
    if isinstance(model, LowPrecisionMLP):
        return {"kind": model.fmt, "sizes": sizes}
    if isinstance(layers[0], QuantLinear):
        modes = {m.act.mode for m in layers if m.act is not None}
        return {"kind": "fake", "sizes": sizes, "mode": modes.pop() if modes else "weight_only"}
    if isinstance(layers[0], (QATLinear, LSQLinear)):
        return {"kind": "lsq" if isinstance(layers[0], LSQLinear) else "qat", "sizes": sizes,
                "bits": int(layers[0].weight_bits), "act_bits": layers[0].act_bits}
    return {"kind": "float", "sizes": sizes}


KINDS = ("float", "float16", "bfloat16", "float32", "fake", "integer", "qat", "lsq")
MODES = ("static", "dynamic", "weight_only")


def valid_recipe(recipe) -> bool:
    """Whether a recipe (perhaps from a damaged cache) is one ``twin`` can build at a bounded cost."""
    if recipe is None:
        return True
    if not (isinstance(recipe, dict) and recipe.get("kind") in KINDS and isinstance(recipe.get("sizes"), list)):
        return False
    sizes = recipe["sizes"]
    if not (2 <= len(sizes) <= 8 and all(type(s) is int and 1 <= s <= 4096 for s in sizes)):
        return False
    kind = recipe["kind"]
    extra = set(recipe) - {"kind", "sizes"}
    if kind == "fake":
        return extra == {"mode"} and recipe["mode"] in MODES
    if kind == "integer":
        return extra == {"bits"} and type(recipe["bits"]) is int and 2 <= recipe["bits"] <= 8
    if kind in ("qat", "lsq"):
        return (extra == {"bits", "act_bits"} and type(recipe["bits"]) is int and 2 <= recipe["bits"] <= 8
                and (recipe["act_bits"] is None or (type(recipe["act_bits"]) is int and 2 <= recipe["act_bits"] <= 16)))
    return not extra


def twin(recipe: dict, calib: np.ndarray):
    """``predict(X)`` of a model built from ``recipe`` (weights from seed 0; ``calib`` fixes static ranges)."""
    from ..integer import IntegerMLP
    from ..nn import MLP
    from ..quant.model import quantize_model, round_model
    from ..quant.qat import prepare_qat
    from ..train import predict_logits
    kind, base = recipe["kind"], MLP(recipe["sizes"], rng=0)
    if kind == "integer":
        return IntegerMLP.from_float(base, calib, weight_bits=recipe["bits"]).predict
    if kind == "float":
        model = base
    elif kind in ("float16", "bfloat16", "float32"):
        model = round_model(base, kind)
    elif kind == "fake":
        model = quantize_model(base, 8, 8, mode=recipe["mode"], calib=calib)
    elif kind in ("qat", "lsq"):
        model = prepare_qat(base, recipe["bits"], recipe["act_bits"], method=kind, calib=calib)
        model.eval()
    else:
        raise ValueError(f"no timing twin for a model of kind {kind!r}")
    return lambda X: predict_logits(model, X)


def measure(recipe: dict, X: np.ndarray, repeats: int = 7) -> float:
    """Milliseconds for the recipe's twin to classify ``X``: the fastest of ``repeats`` runs after a warm-up."""
    predict = twin(recipe, X[:256])
    predict(X)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        predict(X)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.min(times))
