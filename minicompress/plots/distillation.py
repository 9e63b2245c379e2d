"""Figures of distillation: soft labels across T, the KD gradient against T, accuracy against T, dark knowledge."""

from __future__ import annotations

import numpy as np

from ..data import digits_split
from ..distill.kd_loss import kd_gradient
from ..distill.soft_labels import soft_labels
from ..experiments.budget import FULL, Budget
from ..experiments.teacher import shared_teacher
from ..train import predict_logits
from . import figure, pyplot, save

TEMPERATURES = (1, 2, 4, 8, 20)


def soft_label_data(index: int = 0, budget: Budget = FULL):
    """The teacher's logits for one test digit and its soft labels at each temperature."""
    split = digits_split()
    z = predict_logits(shared_teacher(epochs=budget.teacher_epochs)[0], split.test.X[index:index + 1])[0]
    return split.test.X[index].reshape(8, 8), int(split.test.y[index]), {T: soft_labels(z, T) for T in TEMPERATURES}


@figure("kd_soft_labels", "distillation")
def make_kd_soft_labels(out_dir, budget: Budget = FULL):
    image, label, probs = soft_label_data(budget=budget)
    plt = pyplot()
    fig = plt.figure(figsize=(9, 3.4))
    ax0 = fig.add_axes([0.02, 0.15, 0.16, 0.7])
    ax0.imshow(image, cmap="gray_r")
    ax0.set_title(f"test digit, label {label}")
    ax0.axis("off")
    ax = fig.add_axes([0.25, 0.15, 0.72, 0.72])
    width = 0.8 / len(probs)
    for i, (T, p) in enumerate(probs.items()):
        ax.bar(np.arange(10) + i * width, p, width, label=f"T = {T}")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1.5)                     # a probability: nothing above 1
    ax.set_xticks(np.arange(10) + 0.4 - width / 2)
    ax.set_xticklabels(range(10))
    ax.set_xlabel("class")
    ax.set_ylabel("softmax(z / T) (log scale)")
    ax.set_title("Soft labels of the teacher: higher T lifts the wrong classes (dark knowledge)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, out_dir, "kd_soft_labels")


def gradient_data(seed: int = 0, Ts=np.logspace(0, 3, 40)):
    """‖T·(p_s − p_t)‖ against T for one pair of zero-mean logit vectors, and the logit-matching limit."""
    g = np.random.default_rng(seed)
    zs, zt = g.normal(0, 3, 10), g.normal(0, 3, 10)
    zs, zt = zs - zs.mean(), zt - zt.mean()
    grads = np.array([kd_gradient(zs, zt, T=T) for T in Ts])
    limit = (zs - zt) / 10
    return Ts, grads, limit


@figure("kd_gradient_vs_T", "distillation")
def make_kd_gradient_vs_T(out_dir, budget: Budget = FULL):
    Ts, grads, limit = gradient_data()
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for i in range(3):
        a1.semilogx(Ts, grads[:, i], label=f"class {i}")
        a1.axhline(limit[i], ls=":", color=f"C{i}")
    a1.set_xlabel("temperature T")
    a1.set_ylabel("∂(T²·KL)/∂z_s,i = T·(p_s,i − p_t,i)")
    a1.set_title("The KD gradient tends to (z_s − z_t)/N (dotted)")
    a1.legend(fontsize=7)
    rel = np.abs(grads - limit).max(axis=1) / np.abs(limit).max()
    a2.loglog(Ts, rel)
    a2.set_xlabel("temperature T")
    a2.set_ylabel("max gap to logit matching, relative")
    a2.set_title("…with a gap shrinking like 1/T")
    return save(fig, out_dir, "kd_gradient_vs_T")


def accuracy_vs_T_data(budget: Budget = FULL):
    """Per α: rows (T, validation accuracy, test mean, test 95% low, test 95% high), and the chosen (T, α)."""
    from ..experiments.distill import shared_context, sweep_table
    from ..stats import seed_interval
    ctx = shared_context(budget)
    chosen = ctx.kd_choice().value
    out = {}
    for T, a, _, val_acc, setting in sweep_table(ctx, budget.seeds("student"), Ts=TEMPERATURES, alphas=(chosen[1],)):
        s = seed_interval(setting.accs)
        low, high = (s.low, s.high) if s.n > 1 else (s.mean, s.mean)
        out.setdefault(a, []).append((T, val_acc, s.mean, max(low, 0.0), min(high, 1.0)))
    return out, chosen


@figure("kd_accuracy_vs_T", "distillation")
def make_kd_accuracy_vs_T(out_dir, budget: Budget = FULL):
    rows, (T_best, a_best) = accuracy_vs_T_data(budget)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    for i, (a, pts) in enumerate(sorted(rows.items())):
        Ts = np.array([p[0] for p in pts])
        mean, low, high = (np.array([100 * p[k] for p in pts]) for k in (2, 3, 4))
        ax.errorbar(Ts * (1 + 0.04 * (i - 0.5)), mean, yerr=[mean - low, high - mean], marker="o", capsize=3,
                    color=f"C{i}", label=f"test, α = {a:g} (mean, 95% interval over seeds)")
        ax.plot(Ts, [100 * p[1] for p in pts], ls=":", marker="x", color=f"C{i}",
                label=f"validation, α = {a:g} (mean over seeds)")
    ax.axvline(T_best, color="grey", lw=0.8)
    ax.text(T_best, ax.get_ylim()[0], f" chosen on validation: T = {T_best:g}, α = {a_best:g}", fontsize=7,
            va="bottom")
    ax.set_xscale("log")
    ax.set_xticks(TEMPERATURES)
    ax.set_xticklabels([str(t) for t in TEMPERATURES])
    ax.set_xlabel("temperature T")
    ax.set_ylabel("student accuracy (%)")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("Student 64-16-10 distilled from the digits teacher, by temperature", fontsize=10)
    return save(fig, out_dir, "kd_accuracy_vs_T")


@figure("kd_dark_knowledge", "distillation")
def make_kd_dark_knowledge(out_dir, budget: Budget = FULL):
    from ..experiments.dark_knowledge import dark_knowledge_table
    from ..experiments.distill import shared_context
    dk = dark_knowledge_table(shared_context(budget), seeds=budget.seeds("student"))
    conf = dk["confusion"]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    shade = ax.imshow(conf / conf.sum(axis=1, keepdims=True), cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(shade, ax=ax, fraction=0.046, label="share of the true digit's images")
    for i in range(10):
        for j in range(10):
            if conf[i, j]:
                ax.text(j, i, conf[i, j], ha="center", va="center", fontsize=6,
                        color="white" if conf[i, j] > conf[i].sum() / 2 else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true digit")
    ax.grid(False)
    seeds = len(dk["shift"])
    ax.set_title(f"A student that never saw a 3: {100 * np.mean(dk['distilled'][0]):.0f}% of 3s right "
                 f"(mean of {seeds} seeds)\nnumbers: test images, summed over the {seeds} seeds' students",
                 fontsize=9.5)
    return save(fig, out_dir, "kd_dark_knowledge")
