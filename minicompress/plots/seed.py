"""The seed document's worked numbers against their recomputation, and its §2.3 diagram against a corrected one."""

from __future__ import annotations

import numpy as np

from ..experiments.budget import FULL, Budget
from . import figure, pyplot, save


def seed_numbers_data():
    """(label, the seed's number, recomputed) for each worked number of seed §4.3."""
    from ..distill.seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
    from ..quant import quantize, seed_quantization_loss
    w = np.array([1.2, 2.5, 3.7])
    y_hat, y_g, y_s = np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1]), np.array([0.6, 0.3, 0.1])
    return [("L(ŵ), quantization", 197.0, seed_quantization_loss(quantize(w, 0.1), np.array([1.0, 2.0, 3.0]))),
            ("L_g, model distillation", 0.02, seed_model_distillation_loss(y_hat, y_g).item()),
            ("L_s, parameter distillation", 0.26, seed_parameter_distillation_loss(y_hat, y_s).item())]


@figure("seed_numbers", "seed")
def make_seed_numbers(out_dir, budget: Budget = FULL):
    rows = seed_numbers_data()
    plt = pyplot()
    fig, axes = plt.subplots(1, len(rows), figsize=(10, 3.2))
    for ax, (label, claim, value) in zip(axes, rows):
        ax.bar(["the seed says", "recomputed"], [claim, value], color=["C3", "C0"])
        for i, v in enumerate((claim, value)):
            ax.text(i, v, f"{v:g}", ha="center", va="bottom")
        ax.set_title(label)
        ax.set_ylim(0, max(claim, value) * 1.25)
    fig.suptitle("seed §4.3: its worked examples, recomputed", y=1.03)
    return save(fig, out_dir, "seed_numbers")


def _tree_layout(children: dict, root: str) -> dict:
    """{node: (depth, row)} for a left-to-right tree: leaves in depth-first order, parents at their children's mean."""
    pos, next_row = {}, [0]

    def place(node, depth):
        kids = children.get(node, [])
        if not kids:
            pos[node] = (depth, float(next_row[0]))
            next_row[0] += 1
        else:
            for k in kids:
                place(k, depth + 1)
            pos[node] = (depth, float(np.mean([pos[k][1] for k in kids])))
    place(root, 0)
    return pos


def seed_taxonomy_data():
    """Both diagrams as data: nodes with labels and positions, and edges with their verdict against the text.

    Returns ``{"seed": (labels, pos, edges), "corrected": (labels, pos, edges)}``; a seed edge is
    ``(parent, child, verdict)`` with verdict ``"agrees"`` or ``"contradicts"`` the seed's own text.
    """
    from ..ledger.diagram import CORRECTED, NODES, SEED_EDGES, compare_with_text
    verdict = {e: "contradicts" for e in compare_with_text()["contradict"]}
    seed_children = {}
    for a, b in SEED_EDGES:
        seed_children.setdefault(a, []).append(b)
    seed_labels = {k: f"{k}: {gloss}" for k, (_, gloss) in NODES.items()}
    seed_edges = [(a, b, verdict.get((a, b), "agrees")) for a, b in SEED_EDGES]
    fixed_children, fixed_labels = {}, {}
    for node, label, parent, letters in CORRECTED:
        fixed_labels[node] = label + (f"  [{letters}]" if letters else "")
        if parent is not None:
            fixed_children.setdefault(parent, []).append(node)
    fixed_edges = [(p, n, "agrees") for n, _, p, _ in CORRECTED if p is not None]
    return {"seed": (seed_labels, _tree_layout(seed_children, "A"), seed_edges),
            "corrected": (fixed_labels, _tree_layout(fixed_children, "root"), fixed_edges)}


@figure("seed_taxonomy", "seed")
def make_seed_taxonomy(out_dir, budget: Budget = FULL):
    import textwrap
    data = seed_taxonomy_data()
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(15, 7.5), gridspec_kw={"width_ratios": [1, 1.3]})
    bad = sum(v == "contradicts" for *_, v in data["seed"][2])
    titles = {"seed": f"seed §2.3 as printed\n(red, dashed: the {bad} edges its own §2.1-2.2 contradict)",
              "corrected": "corrected: the seed's nodes under the field's names\n[the seed's letters]"}
    for ax, key in zip(axes, ("seed", "corrected")):
        labels, pos, edges = data[key]
        rows = max(r for _, r in pos.values()) + 1
        boxes = {}
        for node, (x, y) in pos.items():
            text = "\n".join(textwrap.wrap(labels[node], 22)) if "\n" not in labels[node] else labels[node]
            boxes[node] = ax.text(x, -y, text, ha="center", va="center", fontsize=7.5, zorder=3,
                                  bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.3", lw=0.8))
        for a, b, verdict in edges:
            bad = verdict == "contradicts"
            # anchored to the two text boxes: from the parent's right edge to the child's left edge
            ax.annotate("", xy=(0, 0.5), xycoords=boxes[b], xytext=(1, 0.5), textcoords=boxes[a],
                        arrowprops=dict(arrowstyle="-|>", color="C3" if bad else "0.45", lw=1.6 if bad else 0.9,
                                        ls="--" if bad else "-", shrinkA=2, shrinkB=2))
        ax.set_xlim(-0.55, max(x for x, _ in pos.values()) + 0.55)
        ax.set_ylim(-rows + 0.4, 0.6)
        ax.axis("off")
        ax.set_title(titles[key], fontsize=9.5)
    fig.text(0.5, 0.0, "The Chinese terms and their standard names: python -m minicompress seed --glossary.   "
             "The edge check: python -m minicompress verify, row '§2.3 diagram against the §2.1-2.2 text'.",
             ha="center", fontsize=8)
    return save(fig, out_dir, "seed_taxonomy")
