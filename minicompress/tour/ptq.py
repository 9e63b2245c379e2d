"""The tour's quantization rows: low-precision floats, weight-only PTQ, static vs dynamic activations."""

from __future__ import annotations

from ..bill import storage_bill
from ..quant import quantize_model, round_model
from ..train import evaluate, predict_logits, time_inference
from . import Row, stage


def _row(name, model, ctx, note):
    test = ctx.split.test
    return Row(name, evaluate(model, test), ctx.teacher.num_parameters(), storage_bill(model).total,
               time_inference(lambda X: predict_logits(model, X), test.X), note=note)


@stage("post-training quantization", order=10)
def ptq_rows(ctx):
    t, rows = ctx.teacher, []
    for fmt in ("float16", "bfloat16"):
        rows.append(_row(f"{fmt} weights", round_model(t, fmt), ctx, "round to nearest even"))
    for bits in (8, 4, 3, 2):
        for per_channel in (False, True):
            model = quantize_model(t, bits, mode="weight_only", per_channel=per_channel)
            kind = "per-channel" if per_channel else "per-tensor"
            rows.append(_row(f"int{bits} weights, {kind}", model, ctx, "weight-only, symmetric"))
    for mode in ("static", "dynamic"):
        model = quantize_model(t, 8, 8, mode=mode, per_channel=True, calib=ctx.split.train.X)
        note = "min/max calibrated on the training images" if mode == "static" else "range of each batch"
        rows.append(_row(f"int8 weights + int8 act, {mode}", model, ctx, note))
    return rows
