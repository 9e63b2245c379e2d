"""The tour's quantization-aware rows: 2-bit weights trained through quantization (QAT and LSQ)."""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..experiments.qat import train_quantized
from ..integer import IntegerMLP
from ..quant.qat import to_float_mlp
from ..train import evaluate, predict_logits, time_inference
from . import Row, stage


@stage("quantization-aware training", order=15)
def qat_rows(ctx):
    b = ctx.budget
    rows = []
    for method in ("qat", "lsq"):
        models = [train_quantized(ctx.teacher, ctx.split, 2, method, k, b.qat_epochs, b.qat_calibration)[0]
                  for k in b.seeds("qat")]
        accs = [evaluate(m, ctx.split.test) for m in models]
        rows.append(Row(f"int2 weights {method.upper()}, int8 act", float(np.mean(accs)), ctx.teacher.num_parameters(),
                        storage_bill(models[0]).total,
                        time_inference(lambda X: predict_logits(models[0], X), ctx.split.test.X),
                        note=f"mean of {len(accs)} seeds (± {100 * np.std(accs):.1f}); "
                             f"{b.qat_epochs} epochs from the teacher"))
        if method == "qat":
            integer = IntegerMLP.from_float(to_float_mlp(models[0]), ctx.split.train.X, weight_bits=2)
            rows.append(Row("int2 QAT weights, integer-only", integer.accuracy(ctx.split.test),
                            integer.num_parameters(), storage_bill(integer).total,
                            time_inference(integer.predict, ctx.split.test.X),
                            note="seed 0 converted to IntegerMLP; 2-bit codes packed"))
    return rows
