"""Float inference of the teacher against the same teacher with half of each hidden layer removed."""

from __future__ import annotations

import numpy as np

from ..experiments.budget import FULL, Budget
from . import bench, best_times


@bench("neurons")
def bench_neurons(budget: Budget = FULL) -> str:
    """Float inference of the teacher against the same teacher with half of each hidden layer removed."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..prune.neurons import keep_top, thin, unit_importance
    from ..train import predict_logits
    teacher = shared_teacher(epochs=budget.teacher_epochs)[0]
    thinned = thin(teacher, keep_top(unit_importance(teacher, "norm"), 0.5))
    sizes = ["-".join(str(m.in_features) for m in model if hasattr(m, "in_features")) + "-10"
             for model in (teacher, thinned)]
    X = digits_split().test.X
    lines = [f"float32 forward, best of {budget.bench_repeats} alternating repeats (no fine-tuning needed to time it)",
             f"{'batch':>6}{sizes[0]:>18}{sizes[1]:>18}{'speed-up':>10}"]
    for batch in (450, 4096):
        x = np.resize(X, (batch, X.shape[1]))
        t_full, t_thin = best_times([lambda: predict_logits(teacher, x), lambda: predict_logits(thinned, x)],
                                    repeats=budget.bench_repeats, number=budget.bench_number)
        lines.append(f"{batch:>6}{t_full * 1e3:>15.3f} ms{t_thin * 1e3:>15.3f} ms{t_full / t_thin:>9.2f}x")
    lines.append("target: the thinned MLP at least 1.5x faster (about 3.2x fewer multiply-adds)")
    return "\n".join(lines)
