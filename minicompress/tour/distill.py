"""The tour's distillation rows: small students on labels vs on the teacher's soft labels."""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..experiments.distill import Context, dark_knowledge_table
from ..quant import quantize_model
from ..train import evaluate, predict_logits, time_inference
from . import Row, stage

SIZES = (64, 16, 10)


@stage("knowledge distillation", order=30)
def distill_rows(ctx):
    ectx = Context(ctx.budget, teacher=ctx.teacher, split=ctx.split)
    test, train = ctx.split.test, ctx.split.train
    seeds, epochs = ctx.budget.seeds("student"), ctx.budget.student_epochs
    hard = [ectx.student("hard", SIZES, None, k, epochs) for k in seeds]
    soft = [ectx.student("kd", SIZES, None, k, epochs) for k in seeds]
    n_params = hard[0].num_parameters()

    def row(name, models, note, fn=evaluate):
        accs = [fn(m, test) for m in models]
        return Row(name, float(np.mean(accs)), n_params, storage_bill(models[0]).total,
                   time_inference(lambda X: predict_logits(models[0], X), test.X),
                   note=f"mean of {len(accs)} seeds (± {100 * np.std(accs):.1f}); {note}")

    quantized = [quantize_model(m, 8, 8, mode="static", calib=train.X) for m in soft]
    rows = [row("student 64-16-10, hard labels", hard, "cross-entropy on the labels"),
            row("student 64-16-10, distilled", soft, "T = 4, α = 0.9 (Hinton et al.)"),
            row("student 64-16-10 distilled, int8", quantized, "static PTQ after distillation")]
    dk = dark_knowledge_table(ectx, seeds=seeds)
    c3, call = dk["distilled"]
    student = dk["student"]
    rows.append(Row("student 64-64-10 that never saw a 3", float(np.mean(call)), student.num_parameters(),
                    storage_bill(student).total, float("nan"),
                    note=f"distilled without 3s; classifies {100 * np.mean(c3):.0f}% of test 3s right"))
    return rows
