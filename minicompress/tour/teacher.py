"""The tour's first stage: the float32 teacher every other row is compared with."""

from ..train import evaluate, predict_logits, time_inference
from . import Row, stage


@stage("float32 teacher", order=0)
def float_teacher(ctx):
    t = ctx.teacher
    return [Row("float32 teacher " + "-".join(map(str, t.sizes)), evaluate(t, ctx.split.test),
                t.num_parameters(), ctx.float32_bytes,
                time_inference(lambda X: predict_logits(t, X), ctx.split.test.X),
                note="4 bytes per parameter")]
