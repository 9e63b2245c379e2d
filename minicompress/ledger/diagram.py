"""The seed's §2.3 taxonomy diagram as printed, the relations its own text states, and a corrected diagram.

The diagram is data here so that ``verify`` can compare it with the text
edge by edge and ``plots.seed`` can draw both versions side by side. Node
letters are the seed's; each node carries its term and a literal English
gloss (the standard names are in ``glossary.py``).

The text of §2.1 and §2.2 says: quantization has two steps, A
(representation) and then B ("quantization-quantization"); the kinds of A
are H, I, J (full, low, fractional precision); the kinds of B are C, D, E
(static, dynamic, adaptive). Distillation is a separate technique with two
steps, F (model distillation) and then G (parameter distillation); the kinds
of F are K, L, M (single, multi, mixed label) and of G are N, O (hard,
soft).
"""

from __future__ import annotations

NODES = {
    "A": ("量化表示", "quantization representation"),
    "B": ("量化量化", "quantization-quantization"),
    "C": ("静态量化", "static quantization"),
    "D": ("动态量化", "dynamic quantization"),
    "E": ("自适应量化", "adaptive quantization"),
    "F": ("模型蒸馏", "model distillation"),
    "G": ("参数蒸馏", "parameter distillation"),
    "H": ("全精度量化", "full-precision quantization"),
    "I": ("低精度量化", "low-precision quantization"),
    "J": ("小数量化", "fractional quantization"),
    "K": ("单标签蒸馏", "single-label distillation"),
    "L": ("多标签蒸馏", "multi-label distillation"),
    "M": ("混合标签蒸馏", "mixed-label distillation"),
    "N": ("硬蒸馏", "hard distillation"),
    "O": ("软蒸馏", "soft distillation"),
}

# the Mermaid source of §2.3, edge by edge, in the order printed
SEED_EDGES = (("A", "B"), ("A", "C"), ("A", "D"), ("A", "E"), ("B", "F"), ("B", "G"), ("C", "H"),
              ("D", "I"), ("E", "J"), ("F", "K"), ("F", "L"), ("F", "M"), ("G", "N"), ("G", "O"))

# what §2.1-§2.2's sentences say, as edges "X comes before Y" or "Y is a kind of X"
TEXT_EDGES = (("A", "B"), ("A", "H"), ("A", "I"), ("A", "J"), ("B", "C"), ("B", "D"), ("B", "E"),
              ("F", "G"), ("F", "K"), ("F", "L"), ("F", "M"), ("G", "N"), ("G", "O"))


def compare_with_text(edges=SEED_EDGES, text=TEXT_EDGES) -> dict:
    """Split a diagram's edges into those the text states and those it contradicts; list what it leaves out.

    An edge contradicts the text when the text places its child elsewhere:
    under another parent, or as a root (A for quantization, F for
    distillation). Edges between nodes the text never mentions are
    ``unknown``.
    """
    placed = {node for edge in text for node in edge}
    agree = [e for e in edges if e in text]
    contradict = [e for e in edges if e not in text and e[1] in placed]
    unknown = [e for e in edges if e not in text and e[1] not in placed]
    missing = [e for e in text if e not in edges]
    return {"agree": agree, "contradict": contradict, "unknown": unknown, "missing": missing}


# The corrected taxonomy: what the seed's nodes mean, under the names the field uses.
# (node id, label, parent id or None, the seed's letters it replaces)
CORRECTED = (
    ("root", "model compression", None, ""),
    ("q", "quantization", "root", ""),
    ("p", "pruning (seed §1 only)", "root", ""),
    ("d", "knowledge distillation", "root", ""),
    ("q1", "number format", "q", "A"),
    ("q2", "activation ranges", "q", "B"),
    ("q3", "how weights are fitted", "q", "B"),
    ("fmt32", "float32 (the reference;\nnot quantized)", "q1", "H"),
    ("fmt16", "float16 / bfloat16", "q1", "I"),
    ("int", "uniform integers\nŵ = round(w/q)", "q1", "A, I"),
    ("fixed", "fixed point Qm.n", "q1", "J"),
    ("static", "static: calibrated\nbefore inference", "q2", "C"),
    ("dynamic", "dynamic: from each\nbatch at run time", "q2", "D"),
    ("ptq", "post-training (PTQ)", "q3", ""),
    ("qat", "quantization-aware\ntraining (STE)", "q3", "B"),
    ("lsq", "learned step (LSQ)", "q3", "E"),
    ("d1", "targets", "d", "F, G"),
    ("d2", "teachers", "d", ""),
    ("soft", "soft labels\nsoftmax(z/T)", "d1", "F, O"),
    ("hard", "hard labels\nargmax", "d1", "N"),
    ("mix", "α·soft + (1−α)·hard", "d1", "M"),
    ("one", "one teacher", "d2", "K"),
    ("many", "several teachers\n(an ensemble)", "d2", "L"),
)
