"""The seed's prose claims, measured on minicompress's own models, for ``verify``.

Where the seed says what quantization reduces, what distillation costs, what
a step does or what its code example shows, the row below measures it and
says what holds. Each row computes its value in ``fn(computed=None)`` and
judges it there; its ``probe`` is the value the seed's claim would imply,
and the test suite feeds it to the row to see it fail.
"""

from __future__ import annotations

import time

import numpy as np

from ..ledger.diagram import TEXT_EDGES
from . import Outcome, check

TEACHER_MACS = 64 * 256 + 256 * 256 + 256 * 10        # 84,480 multiply-accumulates per image
TEACHER_PARAMS = TEACHER_MACS + 256 + 256 + 10        # weights plus biases: 85,002


def _teacher():
    from ..experiments.teacher import shared_teacher
    return shared_teacher()[0]


def _macs(shapes) -> int:
    return int(sum(n_in * n_out for n_in, n_out in shapes))


def _median_ms(fn, repeats=7) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


@check("quantization keeps the parameter count", "seed §1, §3.1, §3.3, §6, §9 (参数数量)",
       claim="quantization reduces the number of parameters", probe=(TEACHER_PARAMS, TEACHER_PARAMS // 4))
def _parameter_count(computed=None):
    """The teacher has 64·256 + 256·256 + 256·10 weights and 256 + 256 + 10 biases: 85,002 numbers.

    Its integer-only int8 version stores the same 85,002 numbers (as codes),
    so the count stays; the bytes fall, because each number is smaller.
    """
    note = ""
    if computed is None:
        from ..bill import storage_bill
        from ..data import digits_split
        from ..integer.mlp import IntegerMLP
        t = _teacher()
        integer = IntegerMLP.from_float(t, digits_split().train[0][:256])
        computed = (t.num_parameters(), integer.num_parameters())
        fb, ib = storage_bill(t).total, storage_bill(integer).total
        note = (f"bytes {fb:,} → {ib:,} ({fb / ib:.2f}× fewer): quantization makes each number smaller; "
                "pruning and distillation are what remove parameters")
    ok = tuple(computed) == (TEACHER_PARAMS, TEACHER_PARAMS)
    return Outcome((TEACHER_PARAMS, TEACHER_PARAMS), tuple(computed), ok, note, claim_ok=computed[1] < computed[0])


@check("quantization keeps the multiply-accumulate count", "seed §3.1, §3.3, §8.1 (计算量)",
       claim="quantization reduces the amount of computation", probe=(TEACHER_MACS, TEACHER_MACS // 4))
def _mac_count(computed=None):
    """Per image the teacher does 64·256 + 256·256 + 256·10 = 84,480 multiply-accumulates, in float or int8.

    Quantization changes what each one costs (an int8 product accumulated in
    int32 instead of a float32 one), not how many there are; whether that is
    faster depends on the kernels, so the note gives both times measured now.
    """
    note = ""
    if computed is None:
        from ..data import digits_split
        from ..integer.mlp import IntegerMLP
        from ..nn import Linear
        from ..train import predict_logits
        split = digits_split()
        t = _teacher()
        integer = IntegerMLP.from_float(t, split.train[0][:256])
        float_shapes = [(m.in_features, m.out_features) for m in t if isinstance(m, Linear)]
        int_shapes = [L.w_t.shape for L in integer.layers]
        computed = (_macs(float_shapes), _macs(int_shapes))
        X = split.test[0]
        integer.predict(X)                                       # compile the kernels first
        f_ms = _median_ms(lambda: predict_logits(t, X))
        i_ms = _median_ms(lambda: integer.predict(X))
        note = (f"450 test images now: float32 {f_ms:.2f} ms, integer-only int8 {i_ms:.2f} ms (median of 7); "
                "each integer MAC is cheaper, the count is the same")
    ok = tuple(computed) == (TEACHER_MACS, TEACHER_MACS)
    return Outcome((TEACHER_MACS, TEACHER_MACS), tuple(computed), ok, note, claim_ok=computed[1] < computed[0])


STUDENT_MACS = 64 * 16 + 16 * 10                      # 1,184 per image


@check("what distillation adds to training a student", "seed §3.3, §8.3, §9 (计算资源和时间)",
       claim="distillation needs large computing resources and time", probe=1.5)
def _distillation_cost(computed=None):
    """Extra work of distillation = one teacher forward per training image (its logits are cached).

    Training the 64-16-10 student costs about 3 forward passes per image
    per epoch (forward, and backward at twice that): 3 · 300 · 1,184 MACs per
    image over the budget's 300 epochs. The teacher's logits cost 84,480
    MACs per image, once: 84,480 / (3 · 300 · 1,184) = 0.0793 (7.9%) of the
    student's own training. Training a teacher from scratch is the large
    cost (40 epochs over 5 shifted copies of each image), and the note
    measures it too.
    """
    from ..experiments.budget import FULL
    from ..nn import MLP, Linear
    note = ""
    if computed is None:
        t = _teacher()
        student = MLP((64, 16, 10), rng=0)
        per = {}
        for name, m in (("teacher", t), ("student", student)):
            per[name] = _macs([(x.in_features, x.out_features) for x in m if isinstance(x, Linear)])
        student_training = 3 * FULL.student_epochs * per["student"]
        teacher_training = 3 * FULL.teacher_epochs * 5 * per["teacher"]
        computed = per["teacher"] / student_training
        note = (f"per image: student training {student_training:,} MACs, its teacher's logits {per['teacher']:,}, "
                f"training the teacher {teacher_training:,} ({teacher_training / student_training:.1f}× the "
                "student's): the cost is the teacher, not the distilling")
    expected = TEACHER_MACS / (3 * FULL.student_epochs * STUDENT_MACS)
    ok = abs(computed - expected) < 1e-12
    return Outcome(f"{expected:.1%} ({expected:.4f})", f"{computed:.1%} ({computed:.4f})", ok, note,
                   claim_ok=computed > 1)


@check("static vs dynamic: ranges at inference, not training", "seed §2.1 (静态量化, 动态量化)",
       claim="static keeps parameters fixed in training, dynamic adjusts them in training", probe=(0.0, 1e-7))
def _static_dynamic(computed=None):
    """Run 8 test images alone, then inside a batch of 450, through the teacher quantized without training.

    Static ranges are fixed by calibration, so the 8 images' logits change
    only by float32 summation order (below 1e-4). Dynamic ranges are taken from each batch at run
    time, so the same 8 images get other logits in the larger batch
    (differences of 1e-2 and more). No gradient step is taken in either: both are
    post-training, and the difference is when the activation range is set.
    """
    if computed is None:
        from ..data import digits_split
        from ..quant.model import quantize_model
        from ..train import predict_logits
        split = digits_split()
        t = _teacher()
        X = split.test[0]
        gaps = []
        for mode in ("static", "dynamic"):
            m = quantize_model(t, 8, 8, mode=mode, calib=split.train[0][:256])
            gaps.append(float(np.abs(predict_logits(m, X[:8]) - predict_logits(m, X)[:8]).max()))
        computed = tuple(gaps)
    ok = computed[0] < 1e-4 and computed[1] > 1e-3
    return Outcome("(< 1e-4, > 1e-3)", tuple(float(f"{g:.3g}") for g in computed), ok,
                   "static: range from calibration; dynamic: range from each batch, so an image's output "
                   "depends on its batch", claim_ok=False if ok else None)


@check("§3.2.1 as written: round each weight", "seed §3.2.1 (四舍五入)",
       claim="rounding each parameter to an integer quantizes the model", probe=(0.5, 0.95))
def _round_without_step(computed=None):
    """Without a step q, round(w) sends every weight with |w| < 0.5 to 0; the teacher's are almost all that small.

    So the rounded teacher is nearly all zeros and predicts at about chance
    (10 classes: ~10%). With the step (ŵ = round(w/q), q = max|w|/127) the
    same teacher keeps its accuracy (the tour's int8 rows).
    """
    if computed is None:
        from ..data import digits_split
        from ..quant.rounding import round_half_away
        from ..train import evaluate
        t = _teacher()
        saved = [p.data.copy() for p in t.parameters()]
        try:
            zero = np.mean(np.concatenate([round_half_away(p.data).ravel() == 0 for p in t.parameters()]))
            for p in t.parameters():
                p.data = round_half_away(p.data).astype(p.data.dtype)
            acc = evaluate(t, digits_split().test)
        finally:
            for p, s in zip(t.parameters(), saved):
                p.data = s
        computed = (float(zero), float(acc))
    ok = computed[0] > 0.99 and computed[1] < 0.2
    return Outcome("> 99% zeros, accuracy < 20%", f"{100 * computed[0]:.2f}% zeros, accuracy {100 * computed[1]:.1f}%",
                   ok, "the step q is what makes rounding a quantizer; §3.2.1 omits it (§4.1 has it)",
                   claim_ok=not ok)


# The seed's §4.1 and §4.2 formulas, as printed (LaTeX), for the two rows below.
SEED_41 = (r"\hat{w} = \text{round}(w / q)", r"L(\hat{w}) = \sum_{i} (\hat{w}_i - y_i)^2",
           r"L_g(\hat{y}, y_g) = \sum_{i} (\hat{y}_i - y_g_i)^2", r"L_s(\hat{y}, y_s) = \sum_{i} (\hat{y}_i - y_s_i)^2")
# §4.2, transcribed from its own lines (indented there, inside a numbered list), not aliased to §4.1,
# so that the row below compares two transcriptions and would fail if §4.2 derived anything new
SEED_42 = ("   \\hat{w} = \\text{round}(w / q)", "   L(\\hat{w}) = \\sum_{i} (\\hat{w}_i - y_i)^2",
           "   L_g(\\hat{y}, y_g) = \\sum_{i} (\\hat{y}_i - y_g_i)^2",
           "   L_s(\\hat{y}, y_s) = \\sum_{i} (\\hat{y}_i - y_s_i)^2")


@check("§4.2 'derivation' against §4.1", "seed §4.2 (公式推导过程)", claim="§4.2 derives the formulas", probe=0)
def _derivation(computed=None):
    """Count the formulas of §4.2 that are copies of a §4.1 formula: by reading, all 4 of 4.

    A derivation would add a step (a gradient such as ∂L_s/∂y_s = 2(y_s − ŷ),
    or where the loss comes from); §4.2 repeats the definitions.
    """
    if computed is None:
        computed = sum(f.strip() in SEED_41 for f in SEED_42)
    return Outcome(4, computed, computed == 4, "minicompress derives the gradients instead: tutorials 1 and 6, "
                   "and ∂(T²·KL)/∂z_s above", claim_ok=computed < len(SEED_42))


@check("§4.1 formulas typeset", "seed §4.1 (LaTeX as printed)", claim="the formulas are well formed", probe=())
def _typesets(computed=None):
    """matplotlib's TeX parser reads each formula; y_g_i and y_s_i are double subscripts, an error in TeX.

    By reading: the two distillation losses fail, ŵ and L(ŵ) parse. The
    intended symbol is y_{g,i}.
    """
    if computed is None:
        from matplotlib.mathtext import MathTextParser
        parser, failed = MathTextParser("path"), []
        for i, f in enumerate(SEED_41):
            try:
                parser.parse(f"${f}$")
            except ValueError:
                failed.append(("ŵ", "L", "L_g", "L_s")[i])
        computed = tuple(failed)
    return Outcome(("L_g", "L_s"), tuple(computed), tuple(computed) == ("L_g", "L_s"),
                   "write y_{g,i}: the i-th entry of y_g", claim_ok=not computed)


@check("L_g has no student in it", "seed §4.1 模型蒸馏 L_g(ŷ, y_g)", claim="minimising L_g distils the model",
       probe=(0.3, 0.5))
def _lg_has_no_student(computed=None):
    """Build L_g and L_s with the autograd and a student layer; L_g's gradient on the student is 0.

    L_g compares the soft label with the big model's output, two things the
    student does not produce, so no student weight is in its graph; only L_s
    can train the student.
    """
    if computed is None:
        from .. import functional as F
        from ..autograd import Tensor
        from ..distill.seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
        from ..nn import Linear
        g = np.random.default_rng(0)
        student = Linear(4, 3, rng=0, dtype=np.float64)
        x, z_big = Tensor(g.normal(size=(5, 4))), g.normal(size=(5, 3))
        soft, y_g = F.softmax(z_big, T=4.0).data, F.softmax(z_big).data
        norms = []
        for loss in (seed_model_distillation_loss(soft, y_g),
                     seed_parameter_distillation_loss(soft, F.softmax(student(x)))):
            student.zero_grad()
            if loss.requires_grad:
                loss.backward()
            norms.append(float(sum(np.abs(p.grad).sum() for p in student.parameters() if p.grad is not None)))
        computed = tuple(norms)
    ok = computed[0] == 0.0 and computed[1] > 0.0
    return Outcome("(0, > 0)", tuple(float(f"{v:.3g}") for v in computed), ok,
                   "|∂L_g/∂θ| and |∂L_s/∂θ| summed over the student's parameters", claim_ok=not ok)


# The listing's three import lines (seed §5.2) and what §5.1 asks to install.
LISTING_IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.optim as optim\n"
SETUP_INSTALLS = ("tensorflow or torch", "numpy", "pandas")


@check("§5.1 set-up against the §5.2 listing", "seed §5.1 开发环境搭建", claim="install TF or PyTorch, NumPy, Pandas",
       probe=("numpy", "pandas", "torch"))
def _setup(computed=None):
    """The listing imports torch, torch.nn and torch.optim: one package, read with ``ast``. NumPy and Pandas go unused."""
    if computed is None:
        import ast
        computed = tuple(sorted({a.name.split(".")[0] for node in ast.walk(ast.parse(LISTING_IMPORTS))
                                 if isinstance(node, ast.Import) for a in node.names}))
    return Outcome(("torch",), tuple(computed), tuple(computed) == ("torch",),
                   "NumPy and Pandas are never imported; TensorFlow cannot run a torch listing",
                   claim_ok=tuple(computed) == ("numpy", "pandas", "torch"))


@check("§5.2 listing: the teacher never reaches the student", "seed §5.2.5 (原始模型的知识)",
       claim="the quantized model learns the original model's knowledge", probe=0.2)
def _teacher_unused(computed=None):
    """Run the listing's loop (shape fixes only) with the seed's model as teacher, then with another teacher.

    The loss is CE(constant, constant) + MSE(student, constant), so the
    student ends bit for bit the same whichever teacher runs beside it: the
    largest difference of its parameters is exactly 0.
    """
    note = ""
    if computed is None:
        from ..experiments.seed_example import SeedModel, run_literal_listing
        other = SeedModel()
        other.fc1.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(2)})
        a, b = run_literal_listing(), run_literal_listing(other)
        computed = max(float(np.abs(x - y).max()) for x, y in zip(a["params"], b["params"]))
        note = (f"loss_g is {a['loss_g'][0]:.4f} at every step and reaches no parameter "
                f"({'reaches' if a['loss_g_reaches_parameters'] else 'no gradient'}); only MSE to [0.9, 0.1, 0] trains")
    return Outcome(0.0, computed, computed == 0.0, note, claim_ok=computed != 0.0)


@check("§5.2 listing: codes used as weights", "seed §5.2.3 (quantized_model)",
       claim="the quantized model is the original with quantized parameters", probe=(1.0, 1.0))
def _codes_as_weights(computed=None):
    """fc1's codes are w/q and its bias codes b/q with q = 0.1; with no activation and fc2's bias 0, the
    whole output is scaled by 1/q: every output of the copy is 10× the original's."""
    if computed is None:
        from ..experiments.seed_example import run_literal_listing
        r = run_literal_listing(steps=0)["output_ratio"]
        computed = (round(float(r.min()), 9), round(float(r.max()), 9))
    return Outcome((10.0, 10.0), tuple(computed), tuple(computed) == (10.0, 10.0),
                   "a quantized model computes with q·ŵ (or folds q into its integer arithmetic)",
                   claim_ok=tuple(computed) == (1.0, 1.0))


@check("§2.3 diagram against the §2.1-2.2 text", "seed §2.3 Mermaid 流程图", claim="the diagram shows the taxonomy",
       probe=TEXT_EDGES)
def _diagram(computed=None):
    """Of the diagram's 14 edges, by reading: 6 agree with the text (A→B and the five label/hard/soft
    edges under F and G); 8 contradict it (static, dynamic and adaptive hang under A instead of B;
    model and parameter distillation under B, as if part of quantization; C→H, D→I, E→J pair kinds
    the text keeps apart). 7 relations of the text are missing (A→H, A→I, A→J, B→C, B→D, B→E, F→G).
    """
    from ..ledger.diagram import compare_with_text
    c = compare_with_text(computed) if computed is not None else compare_with_text()
    got = (len(c["agree"]), len(c["contradict"]), len(c["missing"]))
    return Outcome((6, 8, 7), got, got == (6, 8, 7),
                   "contradicting: " + ", ".join(f"{a}→{b}" for a, b in c["contradict"]),
                   claim_ok=got[1] == 0)
