"""The tour's first stage: the float32 teacher every other row is compared with."""

from . import measured, stage

TEACHER = "float32 teacher 64-256-256-10"


@stage("float32 teacher", order=0, seconds=0.1)
def float_teacher(ctx):
    t = ctx.teacher
    return [measured(TEACHER, [t], ctx.split.test, params=t.num_parameters(), nbytes=ctx.float32_bytes,
                     note=f"4 bytes per parameter; epoch {ctx.teacher_epoch} of ≤{ctx.budget.teacher_epochs}, "
                          "chosen by validation loss")]
