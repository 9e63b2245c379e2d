"""The tour's quantization rows: low-precision floats, weight-only PTQ, static vs dynamic activations."""

from __future__ import annotations

from ..bill import storage_bill
from ..quant import quantize_model, round_model
from . import measured, stage
from .teacher import TEACHER


def _row(name, model, ctx, note, compare=(TEACHER,)):
    test = ctx.split.test
    return measured(name, [model], test, params=ctx.teacher.num_parameters(), nbytes=storage_bill(model).total,
                    note=note, compare=compare)


@stage("post-training quantization", order=10, seconds=0.3)
def ptq_rows(ctx):
    t, rows = ctx.teacher, []
    for fmt in ("float16", "bfloat16"):
        rows.append(_row(f"{fmt} weights", round_model(t, fmt), ctx, "round to nearest even"))
    for bits in (8, 4, 3, 2):
        for per_channel in (True, False):
            model = quantize_model(t, bits, mode="weight_only", per_channel=per_channel)
            name = f"int{bits} weights, {'per-channel' if per_channel else 'per-tensor'}"
            if per_channel:                           # against the teacher and the next wider width
                wider = {4: 8, 3: 4, 2: 3}.get(bits)
                compare = (TEACHER,) + ((f"int{wider} weights, per-channel",) if wider else ())
            else:
                compare = (f"int{bits} weights, per-channel",)
            rows.append(_row(name, model, ctx, "weight-only, symmetric, step max|w|/qmax", compare))
    for mode in ("static", "dynamic"):
        model = quantize_model(t, 8, 8, mode=mode, per_channel=True, calib=ctx.split.train.X)
        note = "min/max calibrated on the training images" if mode == "static" else "range of each batch"
        rows.append(_row(f"int8 weights + int8 act, {mode}", model, ctx, note,
                         (TEACHER,) if mode == "static" else ("int8 weights + int8 act, static",)))
    return rows
