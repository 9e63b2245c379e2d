"""The tour's distillation rows: a small student on labels, label-smoothed and distilled; self-distillation;
few labels; a quantized student; and a student that never saw a 3.

Every student keeps its epoch of lowest validation loss; T, α and ε are the
validation's choices (``experiments.distill``). The rows name their controls,
and the tour prints each paired difference under the table.
"""

from __future__ import annotations

import numpy as np

from ..bill import storage_bill
from ..experiments.dark_knowledge import dark_knowledge_table
from ..experiments.distill import PER_CLASS, STUDENT, Context
from ..experiments.teacher import TEACHER_SIZES
from ..quant import quantize_model
from . import measured, stage

NAME = "student " + "-".join(map(str, STUDENT))
BIG = "-".join(map(str, TEACHER_SIZES))


@stage("knowledge distillation", order=30, seconds=40)
def distill_rows(ctx):
    ectx = Context(ctx.budget, teacher=ctx.teacher, split=ctx.split)
    test, train = ctx.split.test, ctx.split.train
    seeds = ctx.budget.seeds("student")
    T, alpha = ectx.kd_choice().value
    (eps,) = ectx.smoothing_choice().value
    models = {kind: [ectx.student(kind, STUDENT, None, k, T, alpha, eps) for k in seeds]
              for kind in ("hard", "smooth", "kd")}

    def row(name, ms, note, compare=(), sizes=STUDENT):
        return measured(name, ms, test, params=ms[0].num_parameters(), nbytes=storage_bill(ms[0]).total, note=note,
                        compare=compare)

    hard, smooth, kd = f"{NAME}, hard labels", f"{NAME}, label smoothing", f"{NAME}, distilled"
    rows = [row(hard, models["hard"], "cross-entropy on the 1,078 labels"),
            row(smooth, models["smooth"], f"ε = {eps:g} chosen on validation: a soft target without a teacher",
                (hard,)),
            row(kd, models["kd"], f"Hinton's loss, T = {T:g}, α = {alpha:g} chosen on validation", (hard, smooth))]
    quantized = [quantize_model(m, 8, 8, mode="static", calib=train.X) for m in models["kd"]]
    rows.append(row(f"{NAME} distilled, int8", quantized, "static PTQ after distillation", (kd,)))
    big = ctx.budget.seeds("qat")
    big_hard = f"{BIG} on labels, no shifts (control)"
    rows.append(row(big_hard, [ectx.student("hard", TEACHER_SIZES, None, k) for k in big],
                    "the teacher's net, plain images, as the students train"))
    rows.append(row(f"{BIG} self-distilled", [ectx.student("kd", TEACHER_SIZES, None, k, T, alpha) for k in big],
                    f"student = the teacher's own net, T = {T:g}, α = {alpha:g}", (big_hard,)))
    few = f"{NAME}, {10 * PER_CLASS} labels only"
    rows.append(row(few, [ectx.student("hard", STUDENT, PER_CLASS, k) for k in seeds],
                    f"{PER_CLASS} labelled images per class, nothing else"))
    rows.append(row(f"{NAME}, teacher labels the rest", [ectx.student("unlabelled", STUDENT, None, k, T)
                                                         for k in seeds],
                    f"soft labels on all {len(train)} images, α = 1: no label used", (few, hard)))
    dk = dark_knowledge_table(ectx, seeds=seeds, with_hard=False)
    c3, _ = dk["distilled"]
    student = dk["student"]
    rows.append(measured("student 64-64-10 that never saw a 3", dk["students"], test,
                         params=student.num_parameters(), nbytes=storage_bill(student).total,
                         note=f"distilled without 3s; classifies {100 * np.mean(c3):.0f}% of test 3s right"))
    return rows
