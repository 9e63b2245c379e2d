"""The tour's quantization-aware rows: 2-bit weights trained through quantization, beside their control.

QAT and LSQ start from the teacher and train 30 more epochs; the control row
is the float teacher fine-tuned with the same recipe and seeds, so the table
separates what quantization-aware training recovers from what more training adds.
"""

from __future__ import annotations

from ..bill import storage_bill
from ..experiments.qat import finetune_float, train_quantized
from ..integer import IntegerMLP
from ..quant.qat import to_float_mlp
from . import measured, stage
from .teacher import TEACHER

CONTROL = "float32 teacher fine-tuned (control)"


@stage("quantization-aware training", order=15, seconds=11)
def qat_rows(ctx):
    b, test = ctx.budget, ctx.split.test
    n = ctx.teacher.num_parameters()
    recipe = f"{b.qat_epochs} epochs from the teacher, Adam 3e-4"
    control = [finetune_float(ctx.teacher, ctx.split, k, b.qat_epochs)[0] for k in b.seeds("qat")]
    rows = [measured(CONTROL, control, test, params=n, nbytes=ctx.float32_bytes,
                     note=f"{recipe}: QAT's recipe without quantization", compare=(TEACHER,))]
    for method in ("qat", "lsq"):
        models = [train_quantized(ctx.teacher, ctx.split, 2, method, k, b.qat_epochs, b.qat_calibration)[0]
                  for k in b.seeds("qat")]
        rows.append(measured(f"int2 weights {method.upper()}, int8 act", models, test, params=n,
                             nbytes=storage_bill(models[0]).total,
                             note=recipe, compare=(CONTROL, TEACHER)))
        if method == "qat":
            integer = IntegerMLP.from_float(to_float_mlp(models[0]), ctx.split.train.X, weight_bits=2)
            rows.append(measured("int2 QAT weights, integer-only", [integer], test, params=integer.num_parameters(),
                                 nbytes=storage_bill(integer).total,
                                 note="seed 0 converted to IntegerMLP; 2-bit codes packed"))
    return rows
