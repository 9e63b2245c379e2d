"""Distillation experiments on the digits, each row with its 95% interval over seeds.

Every choice is made on the validation images: each student keeps its epoch
of lowest validation loss (at most ``budget.student_epochs``, stopping after
``budget.student_patience`` epochs without progress), and T, α and the label
smoothing ε are picked from small grids by mean validation loss. The test
images only report.

1. students trained on hard labels vs distilled, on the full training set and on small labelled subsets;
2. controls: label smoothing (a soft target that knows nothing) and self-distillation
   (the teacher's own architecture as the student);
3. few labels: the student gets 5 labelled images per class, the teacher labels all the rest;
4. the T and α grids, on validation and on test;
5. dark knowledge: a student that never sees one digit (``dark_knowledge.py``);
6. quantized students: trained with distillation or on labels, then quantized.

Every number is measured when the function runs; nothing here is copied from
a paper. ``python -m minicompress experiments distill`` prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import functional as F
from ..data import Dataset, digits_split
from ..distill import distill
from ..nn import MLP
from ..optim import Adam
from ..quant import quantize_model
from ..stats import format_accuracy, paired_bootstrap, seed_interval
from ..train import correct_matrix, evaluate, fit, predict_logits
from .budget import FULL, Budget
from .teacher import TEACHER_SIZES, shared_teacher

STUDENT_LR = 5e-3                  # Adam, minibatches of 128: converges in about 100-300 epochs here
BATCH = 128
STUDENT = (64, 16, 10)
T_GRID = (1.0, 2.0, 4.0, 8.0)
ALPHA_GRID = (0.5, 0.9)
SMOOTHING_GRID = (0.05, 0.1, 0.2)
PER_CLASS = 5                      # labelled images per class in the few-labels regime


@dataclass
class Setting:
    """One row: a label, each seed's test accuracy, and which test images each seed got right."""

    label: str
    accs: list
    correct: np.ndarray | None = field(default=None, repr=False)      # (seeds, images), 1 = right

    @classmethod
    def of(cls, label: str, models, test) -> "Setting":
        right = correct_matrix(models, test)
        return cls(label, [float(r.mean()) for r in right], right)

    @property
    def mean(self):
        return float(np.mean(self.accs))

    @property
    def std(self):
        return seed_interval(self.accs).std if len(self.accs) > 1 else float("nan")

    def cell(self) -> str:
        """``96.0% ± 0.4 [95.5, 96.5]``: mean ± std over seeds and the 95% interval of the mean."""
        if self.correct is not None:
            return format_accuracy(self.correct)
        if len(self.accs) == 1:
            return f"{100 * self.mean:.1f}% (1 seed)"
        s = seed_interval(self.accs)
        return f"{100 * s.mean:.1f}% ± {100 * s.std:.1f} [{100 * max(s.low, 0):.1f}, {100 * min(s.high, 1):.1f}]"

    def versus(self, other: "Setting", rng=0) -> str:
        """The paired difference on the same test images, with its bootstrap 95% interval and verdict."""
        d = paired_bootstrap(self.correct, other.correct, rng=rng)
        verdict = "within noise" if d.within_noise else ("better" if d.diff > 0 else "worse")
        return f"{100 * d.diff:+.1f} points [{100 * d.low:+.1f}, {100 * d.high:+.1f}], {verdict}"


@dataclass
class Choice:
    """A setting picked on validation, with the grid it was picked from: (setting, val loss, val acc)."""

    value: tuple
    grid: list


class Context:
    """The teacher, the split, the teacher's logits, the choices made on validation, and every student trained.

    Students are trained once per setting and shared between the tables.
    """

    def __init__(self, budget: Budget = FULL, teacher=None, split=None):
        self.budget = budget
        self.split = split or digits_split()
        if self.split.val is None:
            raise ValueError("distillation experiments choose T, α and epochs on validation images: "
                             "pass a split with val (digits_split() has one)")
        self.teacher = teacher if teacher is not None else shared_teacher(epochs=budget.teacher_epochs)[0]
        self.train_logits = predict_logits(self.teacher, self.split.train.X)
        self.teacher_acc = evaluate(self.teacher, self.split.test)
        self._students = {}
        self._choices = {}                   # choices made on validation, and tables computed once

    def student(self, kind: str, sizes, n, seed: int, T=4.0, alpha=0.9, eps=0.0):
        """A student trained on ``n`` labelled images per class (all for None).

        kind: "hard" (cross-entropy on the labels), "smooth" (label smoothing
        ε), "kd" (Hinton's loss, T and α), or "unlabelled" (the teacher's soft
        labels on every training image, α = 1: no label is used).
        """
        key = (kind, tuple(sizes), n, seed) + {"kd": (T, alpha), "smooth": (eps,), "unlabelled": (T,)}.get(kind, ())
        if key not in self._students:
            data, logits = _subset(self, n) if kind != "unlabelled" else (self.split.train, self.train_logits)
            epochs, patience = _schedule(self, len(data))
            if tuple(sizes) == TEACHER_SIZES:           # 70x the student's weights: a third of its epochs
                epochs = max(1, epochs // 3)
            val = self.split.val
            if kind in ("hard", "smooth"):
                model = train_hard(sizes, data, seed, epochs, val, patience,
                                   label_smoothing=eps if kind == "smooth" else 0.0)
            elif kind in ("kd", "unlabelled"):
                model = train_distilled(sizes, data, logits, seed, epochs, T, 1.0 if kind == "unlabelled" else alpha,
                                        val, patience)
            else:
                raise ValueError(f"unknown kind of student {kind!r}; choose hard, smooth, kd or unlabelled")
            self._students[key] = model
        return self._students[key]

    def kd_choice(self, sizes=STUDENT) -> Choice:
        """(T, α) of the grid with the lowest mean validation loss over ``budget.search_seeds`` seeds."""
        key = ("kd", tuple(sizes))
        if key not in self._choices:
            grid = [((T, a), self._val([self.student("kd", sizes, None, 100 + k, T, a)
                                        for k in range(self.budget.search_seeds)]))
                    for T in T_GRID for a in ALPHA_GRID]
            self._choices[key] = Choice(min(grid, key=lambda g: g[1][0])[0], [(v, *r) for v, r in grid])
        return self._choices[key]

    def smoothing_choice(self, sizes=STUDENT) -> Choice:
        """ε of the label-smoothing grid with the lowest mean validation loss."""
        key = ("smooth", tuple(sizes))
        if key not in self._choices:
            grid = [((e,), self._val([self.student("smooth", sizes, None, 100 + k, eps=e)
                                      for k in range(self.budget.search_seeds)])) for e in SMOOTHING_GRID]
            self._choices[key] = Choice(min(grid, key=lambda g: g[1][0])[0], [(v, *r) for v, r in grid])
        return self._choices[key]

    def _val(self, models) -> tuple:
        """(mean validation cross-entropy, mean validation accuracy) of some models."""
        val = self.split.val
        zs = [predict_logits(m, val.X) for m in models]
        return (float(np.mean([F.cross_entropy(z, val.y).item() for z in zs])),
                float(np.mean([np.mean(z.argmax(1) == val.y) for z in zs])))


_CONTEXTS = {}


def shared_context(budget: Budget = FULL) -> Context:
    """One Context per budget and process, on the shared teacher: figures, tutorials and the report then
    train each student once."""
    if budget not in _CONTEXTS:
        _CONTEXTS[budget] = Context(budget)
    return _CONTEXTS[budget]


def train_hard(sizes, data, seed: int, epochs: int, val=None, patience=None, label_smoothing: float = 0.0):
    """A student trained on the true labels only (optionally smoothed), keeping its best validation epoch."""
    model = MLP(sizes, rng=seed)
    fit(model, data, epochs=epochs, rng=seed, optimizer=Adam(model.parameters(), lr=STUDENT_LR), batch_size=BATCH,
        loss=lambda z, y: F.cross_entropy(z, y, label_smoothing=label_smoothing),
        val=val, keep_best=val is not None, patience=patience if val is not None else None)
    return model


def train_distilled(sizes, data, logits, seed: int, epochs: int, T=4.0, alpha=0.9, val=None, patience=None):
    """A student trained with Hinton's loss on ``data`` and the teacher's ``logits`` for it."""
    model = MLP(sizes, rng=seed)
    distill(model, None, data, T=T, alpha=alpha, epochs=epochs, rng=seed, teacher_logits=logits, batch_size=BATCH,
            optimizer=Adam(model.parameters(), lr=STUDENT_LR),
            val=val, keep_best=val is not None, patience=patience if val is not None else None)
    return model


def labelled_indices(y, per_class: int, seed: int = 123) -> np.ndarray:
    """``per_class`` training images of each class, drawn with ``seed``: the labelled few."""
    g = np.random.default_rng(seed)
    picked = [g.permutation(np.flatnonzero(y == c))[:per_class] for c in np.unique(y)]
    return np.sort(np.concatenate(picked))


def _subset(ctx: Context, n):
    """``n`` labelled images per class (all of them for n=None), and the teacher's logits for them."""
    if n is None:
        return ctx.split.train, ctx.train_logits
    idx = labelled_indices(ctx.split.train.y, n)
    return Dataset(ctx.split.train.X[idx], ctx.split.train.y[idx]), ctx.train_logits[idx]


def _schedule(ctx: Context, n_images: int) -> tuple:
    """(max epochs, patience): about the same number of optimizer steps whatever the subset size."""
    scale = max(1, round(len(ctx.split.train) / n_images))
    patience = ctx.budget.student_patience
    return ctx.budget.student_epochs * scale, None if patience is None else patience * scale


def students_table(ctx: Context, seeds, sizes=((64, 16, 10), (64, 8, 10)), subsets=(None, 30, 10)) -> list:
    """Experiment 1: rows (student, labelled images, hard labels, distilled at the validation's T and α)."""
    rows = []
    for s in sizes:
        T, alpha = ctx.kd_choice(s).value
        for n in subsets:
            hard = Setting.of("hard", [ctx.student("hard", s, n, k) for k in seeds], ctx.split.test)
            soft = Setting.of("kd", [ctx.student("kd", s, n, k, T, alpha) for k in seeds], ctx.split.test)
            rows.append(("-".join(map(str, s)), len(_subset(ctx, n)[0]), hard, soft))
    return rows


def controls_table(ctx: Context, seeds, sizes=STUDENT) -> dict:
    """Experiment 2: the student on labels, label-smoothed, distilled; and self-distillation.

    Self-distillation trains the teacher's own architecture on the plain
    training images (no shifted copies, so both rows see the same data), once
    on labels and once with Hinton's loss: any gain there cannot come from a
    bigger teacher's knowledge, only from the softer target.
    """
    test = ctx.split.test
    T, alpha = ctx.kd_choice(sizes).value
    (eps,) = ctx.smoothing_choice(sizes).value
    out = {"hard": Setting.of("hard labels", [ctx.student("hard", sizes, None, k) for k in seeds], test),
           "smooth": Setting.of(f"label smoothing ε = {eps:g}",
                                [ctx.student("smooth", sizes, None, k, eps=eps) for k in seeds], test),
           "kd": Setting.of(f"distilled T = {T:g}, α = {alpha:g}",
                            [ctx.student("kd", sizes, None, k, T, alpha) for k in seeds], test)}
    big = ctx.budget.seeds("qat")                                  # the teacher's size costs more: fewer seeds
    out["big hard"] = Setting.of("64-256-256-10, hard labels",
                                 [ctx.student("hard", TEACHER_SIZES, None, k) for k in big], test)
    out["big kd"] = Setting.of("64-256-256-10, self-distilled",
                               [ctx.student("kd", TEACHER_SIZES, None, k, T, alpha) for k in big], test)
    return out


def few_labels_table(ctx: Context, seeds, sizes=STUDENT, per_class: int = PER_CLASS) -> dict:
    """Experiment 3: 5 labels per class, against the teacher's soft labels on every training image.

    The everyday case: a trained model and plenty of unlabelled images. The
    distilled student uses α = 1, so it never sees a label; the other trains
    on the few labelled images alone. Both stop on the same validation images.
    """
    test = ctx.split.test
    T, _ = ctx.kd_choice(sizes).value
    return {"few": Setting.of(f"{10 * per_class} labels only",
                              [ctx.student("hard", sizes, per_class, k) for k in seeds], test),
            "unlabelled": Setting.of(f"teacher's soft labels on {len(ctx.split.train)} images, T = {T:g}",
                                     [ctx.student("unlabelled", sizes, None, k, T) for k in seeds], test)}


def sweep_table(ctx: Context, seeds, sizes=STUDENT, Ts=T_GRID, alphas=ALPHA_GRID) -> list:
    """Experiment 4: rows (T, α, validation loss, validation accuracy, test Setting) over the grid."""
    rows = []
    for T in Ts:
        for a in alphas:
            models = [ctx.student("kd", sizes, None, k, T, a) for k in seeds]
            loss, acc = ctx._val(models)
            rows.append((T, a, loss, acc, Setting.of(f"T = {T:g}, α = {a:g}", models, ctx.split.test)))
    return rows


def quantized_students_table(ctx: Context, seeds, sizes=STUDENT, bits=(8, 4, 3)) -> list:
    """Experiment 6: each student trained on labels or distilled, then quantized (weights per channel)."""
    data = ctx.split.train
    T, alpha = ctx.kd_choice(sizes).value
    hard = [ctx.student("hard", sizes, None, k) for k in seeds]
    soft = [ctx.student("kd", sizes, None, k, T, alpha) for k in seeds]
    test = ctx.split.test
    rows = [("float32", Setting.of("hard", hard, test), Setting.of("kd", soft, test))]
    for b in bits:
        def q(models):
            return [quantize_model(m, b, 8, mode="static", calib=data.X) for m in models]
        rows.append((f"int{b} weights, int8 act", Setting.of("hard", q(hard), test), Setting.of("kd", q(soft), test)))
    return rows


def report(budget: Budget = FULL) -> str:
    """All six experiments as text tables."""
    from ..progress import Stages
    steps = Stages("experiments distill", [2, 6, 5, 2, 8, 2, 4])   # rough shares of the time, FULL budget
    steps.next("the teacher, and T and α chosen on validation")
    ctx = shared_context(budget)
    seeds = budget.seeds("student")
    n = len(seeds)
    split = ctx.split
    T, alpha = ctx.kd_choice().value
    steps.next(f"1. students on labels and distilled, {len(seeds)} seeds")
    lines = [f"teacher 64-256-256-10: {100 * ctx.teacher_acc:.1f}% on the {len(split.test)} test digits; "
             f"students: Adam lr {STUDENT_LR:g}, batch {BATCH}, the epoch of lowest validation loss "
             f"(≤ {budget.student_epochs}, patience {budget.student_patience}); {n} seeds",
             f"splits: {len(split.train)} train, {len(split.val)} validation (decides), {len(split.test)} test (reports)",
             "accuracy: mean ± std over seeds [95% interval of the mean]; Δ: paired bootstrap on the test images",
             "", f"1. hard labels vs distillation (T = {T:g}, α = {alpha:g}, chosen on validation)",
             f"   {'student':<10}{'labelled':>9}{'hard labels':>26}{'distilled':>26}   Δ distilled − hard"]
    for name, count, hard, soft in students_table(ctx, seeds):
        lines.append(f"   {name:<10}{count:>9}{hard.cell():>26}{soft.cell():>26}   {soft.versus(hard)}")
    steps.next("2. controls: label smoothing, self-distillation")
    c = controls_table(ctx, seeds)
    lines += ["", "2. controls, all 1,078 labels: what a soft target adds without a teacher, and self-distillation"]
    for key in ("hard", "smooth", "kd", "big hard", "big kd"):
        lines.append(f"   {c[key].label:<34}{c[key].cell():>26}")
    lines += [f"   distilled − hard labels:            {c['kd'].versus(c['hard'])}",
              f"   distilled − label smoothing:        {c['kd'].versus(c['smooth'])}",
              f"   label smoothing − hard labels:      {c['smooth'].versus(c['hard'])}",
              f"   self-distilled − same net on labels: {c['big kd'].versus(c['big hard'])}"]
    steps.next("3. few labels against the teacher's labels")
    f = few_labels_table(ctx, seeds)
    lines += ["", f"3. few labels: {10 * PER_CLASS} labelled images, or the teacher labels all "
                  f"{len(split.train)} (α = 1, no label used)",
              f"   {f['few'].label:<44}{f['few'].cell():>26}",
              f"   {f['unlabelled'].label:<44}{f['unlabelled'].cell():>26}",
              f"   teacher's labels − few labels: {f['unlabelled'].versus(f['few'])}",
              f"   teacher's labels − all 1,078 true labels: {f['unlabelled'].versus(c['hard'])}"]
    steps.next("4. the T and α grid")
    search = ctx.kd_choice()
    lines += ["", "4. the T and α grid (student 64-16-10): validation decides, test only reports",
              f"   chosen by the lowest validation loss of search seed(s) 100..{99 + budget.search_seeds}, "
              "kept apart from the reporting seeds:",
              "   " + "   ".join(f"T {v[0]:g} α {v[1]:g}: {loss:.4f}" for v, loss, _ in search.grid),
              f"   the same grid with the {n} reporting seeds:",
              f"   {'T':>5}{'α':>6}{'val loss':>10}{'val acc':>9}{'test':>26}"]
    for T_, a, loss, acc, setting in sweep_table(ctx, seeds):
        mark = "  ← chosen" if (T_, a) == (T, alpha) else ""
        lines.append(f"   {T_:>5g}{a:>6g}{loss:>10.4f}{100 * acc:>8.1f}%{setting.cell():>26}{mark}")
    from .dark_knowledge import dark_knowledge_table
    steps.next("5. dark knowledge: a digit never seen")
    dk = dark_knowledge_table(ctx, seeds)
    lines += ["", "5. dark knowledge: student 64-64-10 never sees a 3 (T = 8, soft labels only)",
              f"   {'':<26}{'test 3s right':>26}{'all test digits':>26}"]
    for key in ("hard (no 3s)", "distilled", "distilled + bias shift"):
        c3, call = dk[key]
        lines.append(f"   {key:<26}{Setting('', c3).cell():>26}{Setting('', call).cell():>26}")
    lines.append(f"   bias shift of the 3-logit, chosen on the validation images: "
                 f"{', '.join(f'{s:g}' for s in dk['shift'])}")
    lines += ["", "6. quantized students 64-16-10: trained on labels vs distilled, then post-training quantized",
              f"   {'precision':<24}{'hard labels':>26}{'distilled':>26}   Δ distilled − hard"]
    steps.next("6. quantized students")
    for name, hard, soft in quantized_students_table(ctx, seeds):
        lines.append(f"   {name:<24}{hard.cell():>26}{soft.cell():>26}   {soft.versus(hard)}")
    steps.finish()
    return "\n".join(lines)
