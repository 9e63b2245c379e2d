"""The tour's where-to-compress rows: mixed precision against its exhaustive optimum, and a thinner MLP.

Mixed precision gives each of the three layers its own width from {2, 3, 4, 8}
under the byte budget of uniform 3-bit weights. All 64 assignments are
measured, so the best one on validation (the exhaustive optimum) stands
beside the greedy and the Hessian-trace (HAWQ-style) allocations.
"""

from __future__ import annotations

from ..bill import storage_bill
from ..experiments.where import Where, allocations, prune_neurons, uniform_budgets, val_scores
from ..nn import Linear
from . import measured, stage
from .teacher import TEACHER


@stage("where to compress", order=45, seconds=7)
def where_rows(ctx):
    w = Where(ctx.budget, teacher=ctx.teacher, split=ctx.split)
    test, n = ctx.split.test, ctx.teacher.num_parameters()
    budget = uniform_budgets(w)[3]
    rows = []
    for a in allocations(w, budget):
        rows.append(measured(f"mixed precision, {a.method.split(' (')[0]}", [a.model], test, params=n,
                             nbytes=a.nbytes,
                             note=f"bits per layer {a.bits}, ≤ {budget} bytes (uniform 3-bit), GPTQ; "
                                  f"{a.method}", compare=("int3 weights, GPTQ",) if a.method.startswith("exh") else
                             ("mixed precision, exhaustive optimum",)))
    # neuron pruning: the importance is chosen on validation (seed 0), then three seeds
    tried = {m: prune_neurons(w, m, 0.5, "one-shot", 0)[0] for m in ("norm", "activation", "taylor")}
    best = max(tried, key=lambda m: val_scores(tried[m], ctx.split))
    models = [tried[best]] + [prune_neurons(w, best, 0.5, "one-shot", k)[0] for k in ctx.budget.seeds("prune")[1:]]
    thin = models[0]
    sizes = "-".join(str(m.in_features) for m in thin if isinstance(m, Linear)) + f"-{thin[-1].out_features}"
    rows.append(measured(f"neurons pruned: {sizes}", models, test, params=thin.num_parameters(),
                         nbytes=storage_bill(thin).total,
                         note=f"half of each hidden layer removed by {best} importance (chosen on validation), "
                              "fine-tuned; a smaller dense float32 MLP", compare=(TEACHER,)))
    return rows
