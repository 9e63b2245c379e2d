"""The tour's distillation rows: small students on labels vs on the teacher's soft labels (5 seeds each)."""

from __future__ import annotations

import numpy as np

from ..registry import Row, stage
from ..train import evaluate, predict_logits, time_inference
from ..quant.model import quantize_model
from .experiments import Context, dark_knowledge_table

SIZES = (64, 16, 10)
SEEDS = range(5)


@stage("knowledge distillation", order=30)
def distill_rows(ctx):
    ectx = Context(ctx.quick, teacher=ctx.teacher, split=ctx.split)
    test, train = ctx.split.test, ctx.split.train
    epochs = 4 if ctx.quick else 30
    hard = [ectx.student("hard", SIZES, None, k, epochs) for k in SEEDS]
    soft = [ectx.student("kd", SIZES, None, k, epochs) for k in SEEDS]
    n_params = hard[0].num_parameters()

    def row(name, models, nbytes, note, fn=evaluate):
        accs = [fn(m, test) for m in models]
        return Row(name, float(np.mean(accs)), n_params, nbytes,
                   time_inference(lambda X: predict_logits(models[0], X), test.X),
                   note=f"mean of {len(accs)} seeds (± {100 * np.std(accs):.1f}); {note}")

    quantized = [quantize_model(m, 8, 8, mode="static", calib=train.X) for m in soft]
    rows = [row("student 64-16-10, hard labels", hard, 4 * n_params, "cross-entropy on the labels"),
            row("student 64-16-10, distilled", soft, 4 * n_params, "T = 4, α = 0.9 (Hinton et al.)"),
            row("student 64-16-10 distilled, int8", quantized, quantized[0].storage_bytes(),
                "static PTQ after distillation")]
    dk = dark_knowledge_table(ectx, seeds=range(2) if ctx.quick else SEEDS)
    c3, call = dk["distilled"]
    rows.append(Row("student 64-64-10 that never saw a 3", float(np.mean(call)), 64 * 64 + 64 + 64 * 10 + 10,
                    4 * (64 * 64 + 64 + 64 * 10 + 10), float("nan"),
                    note=f"distilled without 3s; classifies {100 * np.mean(c3):.0f}% of test 3s right"))
    return rows
