"""The tour's quantization-aware rows: 2-bit weights trained through quantization (QAT and LSQ)."""

from __future__ import annotations

import numpy as np

from ..registry import Row, stage
from ..train import evaluate, predict_logits, time_inference
from .qat import qat_storage_bytes, to_float_mlp
from .qat_experiments import train_quantized

SEEDS = range(3)


@stage("quantization-aware training", order=15)
def qat_rows(ctx):
    from ..integer import IntegerMLP
    rows, epochs = [], 2 if ctx.quick else 30
    for method in ("qat", "lsq"):
        models = [train_quantized(ctx.teacher, ctx.split, 2, method, k, epochs)[0] for k in SEEDS]
        accs = [evaluate(m, ctx.split.test) for m in models]
        rows.append(Row(f"int2 weights {method.upper()}, int8 act", float(np.mean(accs)), ctx.teacher.num_parameters(),
                        qat_storage_bytes(models[0]),
                        time_inference(lambda X: predict_logits(models[0], X), ctx.split.test.X),
                        note=f"mean of {len(accs)} seeds (± {100 * np.std(accs):.1f}); 30 epochs from the teacher"))
        if method == "qat":
            integer = IntegerMLP.from_float(to_float_mlp(models[0]), ctx.split.train.X, weight_bits=2)
            rows.append(Row("int2 QAT weights, integer-only", integer.accuracy(ctx.split.test),
                            integer.num_parameters(), integer.storage_bytes(),
                            time_inference(integer.predict, ctx.split.test.X),
                            note="seed 0 converted to IntegerMLP; 2-bit codes packed"))
    return rows
