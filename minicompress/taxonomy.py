"""``python -m minicompress taxonomy``: the seed's Mermaid diagram (§2.3), node by node, mapped to code.

The seed's diagram hangs static / dynamic / adaptive quantization under
"quantization representation" and model / parameter distillation under
"quantization-quantization" (量化量化), and it pairs static with full
precision, dynamic with low precision and adaptive with fractional
quantization. Those edges do not match its own text (§2.1 lists full / low /
fractional as kinds of *representation* and static / dynamic / adaptive as
kinds of the second step; distillation is a separate technique in §2.2), so
the table lists each node once, with the text's meaning, the minicompress
function that implements it, and a one-line example computed now.
"""

from __future__ import annotations

import numpy as np


def _examples():
    """(node, seed term, minicompress function, example text) with the examples computed live."""
    from .distill import hard_labels, kd_loss, mixed_targets, multi_teacher_targets, soft_labels
    from .quant import quantize, to_fixed, to_low_precision
    from .quant.model import ActivationQuantizer
    from .quant.qparams import qparams_from_range
    w = np.array([0.1234, -0.5678])
    z = np.array([[2.0, 1.0, 0.0]])
    static = ActivationQuantizer(8, "static", qparams_from_range(0, 1, 8, "affine"))
    dynamic = ActivationQuantizer(8, "dynamic")
    x = np.array([[0.5, 3.0]])
    rows = [
        ("A", "量化表示 quantization representation", "quant.quantize",
         f"ŵ = round(w/0.01): {w.tolist()} → {quantize(w, 0.01).tolist()}"),
        ("B", "量化量化 'quantization-quantization' (optimising it)", "quant.qat.prepare_qat",
         "train through fake quantization (STE); see tutorial 5"),
        ("C", "静态量化 static quantization", "quant.quantize_model(mode='static')",
         f"range fixed in calibration: 3.0 in [0, 1] → {float(static(x)[0, 1]):.3f} (clipped)"),
        ("D", "动态量化 dynamic quantization", "quant.quantize_model(mode='dynamic')",
         f"range of each batch: 3.0 → {float(dynamic(x)[0, 1]):.3f} (kept)"),
        ("E", "自适应量化 adaptive quantization", "quant.qat.LSQLinear (learned steps)",
         "the step s is a parameter: ∂ŵ/∂s = round(w/s) − w/s"),
        ("H", "全精度量化 full precision", "quant.to_low_precision(fmt='float32')",
         f"float32(0.1) = {float(to_low_precision(0.1, 'float32')):.10f}"),
        ("I", "低精度量化 low precision", "quant.to_low_precision(fmt='float16'/'bfloat16')",
         f"0.1 → {float(to_low_precision(0.1, 'float16'))} (fp16), {float(to_low_precision(0.1, 'bfloat16'))} (bf16)"),
        ("J", "小数量化 fractional (fixed point)", "quant.to_fixed(w, m, n)",
         f"Q3.4 (q = 1/16): {w.tolist()} → {to_fixed(w, 3, 4).tolist()}"),
        ("F", "模型蒸馏 model distillation", "distill.soft_labels",
         f"softmax(z/4) of {z[0].tolist()} = {soft_labels(z, 4).round(3)[0].tolist()}"),
        ("G", "参数蒸馏 parameter distillation", "distill.distill (kd_loss inside fit)",
         f"KD loss of a uniform student vs z, T = 4: {kd_loss(np.zeros((1, 3)), z, T=4, alpha=1).item():.4f}"),
        ("K", "单标签蒸馏 single-label", "distill.kd_loss with one teacher",
         "one teacher's soft labels as targets"),
        ("L", "多标签蒸馏 multi-label (several teachers)", "distill.multi_teacher_targets",
         f"mean of probs vs of logits: {multi_teacher_targets([np.array([[8.0, 0]]), np.array([[0, 4.0]])], T=1, mode='probs').round(3)[0].tolist()}"
         f" vs {multi_teacher_targets([np.array([[8.0, 0]]), np.array([[0, 4.0]])], T=1, mode='logits').round(3)[0].tolist()}"),
        ("M", "混合标签蒸馏 mixed-label", "distill.mixed_targets",
         f"0.5·soft + 0.5·onehot(0): {mixed_targets(z, np.array([0]), T=4.0, alpha=0.5).round(3)[0].tolist()}"),
        ("N", "硬蒸馏 hard distillation", "distill.hard_labels / hard_label_loss",
         f"argmax of {z[0].tolist()} = {int(hard_labels(z)[0])}"),
        ("O", "软蒸馏 soft distillation", "distill.kd_loss(alpha=1)",
         f"soft target at T = 1: {soft_labels(z, 1).round(3)[0].tolist()}"),
    ]
    return rows


def taxonomy_table() -> str:
    lines = ["The seed's taxonomy (§2.3 Mermaid diagram), each node with the code that implements it.",
             "Note: the diagram's edges (static→full precision, dynamic→low precision, adaptive→fractional,",
             "and distillation under quantization) contradict the seed's own §2.1-2.2; nodes are read as the text defines them.",
             "", f"{'node':<5}{'seed term':<52}{'minicompress':<50}example"]
    for node, term, fn, example in _examples():
        lines.append(f"{node:<5}{term:<52}{fn:<50}{example}")
    return "\n".join(lines)
