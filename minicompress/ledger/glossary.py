"""The seed's terms, each mapped to the field's standard English term and to the minicompress code for it.

Flags: ``standard`` (the usual term, translated), ``non-standard`` (a
meaning exists but the field names it otherwise), ``redundant`` (another
name for something the seed already named), ``garbled`` (no consistent
meaning; the reading given is minicompress's best guess). Each flag that is
not ``standard`` carries its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import table

FLAGS = ("standard", "non-standard", "redundant", "garbled")


@dataclass(frozen=True)
class Term:
    seed: str          # the seed's term
    english: str       # the field's standard term
    code: str          # where minicompress implements it
    flag: str
    reason: str = ""


GLOSSARY = (
    Term("模型压缩", "model compression", "quant, prune, distill", "standard"),
    Term("量化", "quantization", "quant.quantize, quant.quantize_model", "standard"),
    Term("量化间隔 q", "step size (scale) q", "quant.choose_qparams", "standard"),
    Term("四舍五入", "round half away from zero", "quant.rounding.round_half_away", "standard"),
    Term("量化表示", "representation: choosing q, z and rounding", "quant.quantize", "non-standard",
         "the field says 'quantizing the weights' or 'the quantized representation'; not a named step"),
    Term("量化量化", "calibration or quantization-aware training", "quant.qat.prepare_qat", "garbled",
         "literally 'quantization-quantization'; §2.1 describes it only as computing and optimising"),
    Term("全精度量化", "full precision (float32), the unquantized reference", "quant.to_low_precision('float32')",
         "non-standard", "full precision is what quantization starts from, not a kind of it"),
    Term("低精度量化", "low-precision formats (float16, bfloat16, int8)", "quant.to_low_precision, quant.quantize_model",
         "standard"),
    Term("小数量化", "fixed-point quantization (Qm.n)", "quant.to_fixed", "non-standard",
         "literally 'decimal/fractional quantization'; the field says fixed point"),
    Term("静态量化", "static quantization (activation ranges calibrated offline)",
         "quant.quantize_model(mode='static')", "standard",
         ""),
    Term("动态量化", "dynamic quantization (activation ranges per batch at run time)",
         "quant.quantize_model(mode='dynamic')", "standard"),
    Term("自适应量化", "learned step size (LSQ); or mixed precision", "quant.qat.LSQLinear, experiments.where",
         "garbled", "no standard meaning; §2.1's 'adapts to performance' fits both readings"),
    Term("知识蒸馏", "knowledge distillation", "distill.distill, distill.kd_loss", "standard"),
    Term("大模型 / 小模型", "teacher / student", "experiments.teacher, distill.distill", "non-standard",
         "the field says teacher and student"),
    Term("软标签", "soft targets softmax(z/T)", "distill.soft_labels", "standard"),
    Term("模型蒸馏", "producing the teacher's soft targets", "distill.soft_labels", "non-standard",
         "'model distillation' names the whole method in the field; the seed uses it for one half of it"),
    Term("参数蒸馏", "training the student on the soft targets (the KD loss)", "distill.kd_loss", "redundant",
         "it is the other half of the same one step; in the field 'parameter distillation' is not a term"),
    Term("单标签蒸馏", "distillation from one teacher", "distill.kd_loss", "garbled",
         "'single-label' means one label per example in the field, which is not what distillation varies"),
    Term("多标签蒸馏", "multi-teacher (ensemble) distillation", "distill.multi_teacher_targets", "garbled",
         "'multi-label' is a kind of classification, not of distillation"),
    Term("混合标签蒸馏", "mixing soft and hard targets, α·soft + (1−α)·hard", "distill.mixed_targets", "garbled",
         "the mix is the α of Hinton's loss, not a kind of distillation"),
    Term("硬蒸馏", "hard-label distillation (the teacher's arg-max)", "distill.hard_label_loss", "standard"),
    Term("软蒸馏", "soft-label distillation (Hinton's KD)", "distill.kd_loss(alpha=1)", "redundant",
         "the same as 模型蒸馏 + 参数蒸馏 together"),
    Term("归一化处理", "softmax at temperature T", "functional.softmax(z/T)", "non-standard",
         "normalising (dividing by the sum) is not what makes soft labels; the temperature softmax is"),
    Term("剪枝", "pruning", "prune.magnitude_masks, prune.neurons", "standard"),
    Term("均方损失", "mean squared error", "functional.mse", "standard"),
    Term("交叉熵", "cross-entropy", "functional.cross_entropy", "standard"),
    Term("多模型蒸馏", "ensemble distillation", "distill.multi_teacher_targets", "redundant",
         "the same as the seed's own 多标签蒸馏, read as several teachers"),
    Term("跨模态压缩", "cross-modal distillation", "-", "non-standard",
         "the field distils across modalities; 'cross-modal compression' is not a term"),
)


def format_glossary() -> str:
    """The glossary as a table: seed term, standard term, minicompress code, flag and reason."""
    rows = [(t.seed, t.english, t.code, t.flag + (f": {t.reason}" if t.reason else "")) for t in GLOSSARY]
    widths = (14, 34, 36, 48)
    head = table([("seed term", "standard term", "minicompress", "flag: reason")], widths)
    return "\n".join([head, "-" * (sum(widths) + 6), table(rows, widths)])
