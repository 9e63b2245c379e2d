# %% [markdown]
# # 9. Checking the seed document, claim by claim
#
# minicompress implements the seed article (a Chinese overview of
# quantization and distillation) and audits it. The article is not reliable:
# some worked numbers are wrong, its diagram contradicts its text, its code
# cannot run, and its references are garbled. This tutorial walks the
# ledger, `python -m minicompress seed`, from the keywords to the signature.
# Every item has a status (right, wrong, misleading, not checkable, out of
# scope for an MLP) and its evidence; every wrong or misleading item names
# the `verify` row that recomputes or measures it, and we run those rows
# here as we go.

# %%
import os
from collections import Counter

import numpy as np

from minicompress.checks import CHECKS, load_checks
from minicompress.experiments.seed_example import SEED_CODE_DEFECTS, run_seed_example
from minicompress.ledger import format_glossary, format_ledger, select
from minicompress.ledger.diagram import compare_with_text
from minicompress.ledger.references import arxiv_year
from minicompress.plots import show
from minicompress.plots.seed import make_seed_numbers, make_seed_taxonomy
from minicompress.quant import quantize, reconstruction_error, seed_quantization_loss

FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # not the repo's figures/
load_checks()


def run_rows(section):
    """Run the verify row of every wrong or misleading item of a section, once each."""
    seen = []
    for item in select(["wrong", "misleading"], section):
        if item.check not in seen:
            seen.append(item.check)
            o = CHECKS[item.check].fn()
            verdict = "-" if o.claim_ok is None else ("holds" if o.claim_ok else "does not hold")
            print(f"{item.check}\n    computed {o.computed}; the seed's claim {verdict}")
            if o.note:
                print(f"    {o.note}")


# %% [markdown]
# ## The whole ledger in numbers

# %%
counts = Counter(i.status for i in select())
print(f"{sum(counts.values())} items:", dict(counts))

# %% [markdown]
# ## Abstract and §1: background
#
# Mostly right. The one thing to keep in mind is that quantization shrinks
# the *bytes* of each parameter, not how many there are.

# %%
print(format_ledger(select(section="§1")))
run_rows("§1")

# %% [markdown]
# ## §2: the concepts and the diagram
#
# §2.1 says static quantization fixes its parameters "during training" and
# dynamic quantization adjusts them "during training". Both are post-training
# methods; the difference is *when the activation range is set*: once, from
# calibration data, or for each batch at run time. The row runs 8 test images
# alone and inside a batch of 450: only the dynamic model changes its
# answer for the same image.

# %%
print(format_ledger(select(["wrong", "misleading"], "§2")))
run_rows("§2.1")

# %% [markdown]
# The §2.3 diagram against the text, edge by edge, then both drawn side by
# side (the corrected one uses the field's names and keeps the seed's letters).

# %%
c = compare_with_text()
print("agree:", c["agree"])
print("contradict:", c["contradict"])
print("in the text but not the diagram:", c["missing"])
show(make_seed_taxonomy(FIGURES))

# %% [markdown]
# ## §3: the steps, strengths and weaknesses
#
# "Round each parameter to an integer" (§3.2.1) leaves out the step q. On
# the teacher, whose weights are all below 0.62 in size, that sends 99.99% of
# them to zero. What quantization reduces (bytes, not parameters or
# multiply-accumulates) and what distillation costs (the teacher, not the
# distilling) are measured on minicompress's own models.

# %%
run_rows("§3")

# %% [markdown]
# ## §4: the formulas and the worked numbers
#
# ŵ = round(w/q) is right. The "quantization loss" compares codes with
# outputs; the two distillation numbers are wrong (0.26 happens to be the KL
# divergence of the same vectors, rounded).

# %%
w = np.array([1.2, 2.5, 3.7])
codes = quantize(w, 0.1)
print(codes)                                                   # [12 25 37]: the seed is right here
print(seed_quantization_loss(codes, np.array([1.0, 2.0, 3.0])))   # 1806.0: the seed prints 197
print(reconstruction_error(w, codes, 0.1))                     # ~5e-32: what the loss should measure
show(make_seed_numbers(FIGURES))
run_rows("§4")

# %% [markdown]
# ## §5: the code example
#
# It cannot run (its layer shapes contradict its own weights). Run as
# printed with only the shape fixes, its losses never involve the teacher:
# swap the teacher for another and the student ends bit for bit the same.

# %%
for i, (problem, fix) in enumerate(SEED_CODE_DEFECTS, 1):
    print(f"{i:>2}. {problem}\n    minicompress: {fix}")
run_rows("§5")
r = run_seed_example()
print(f"rewritten so that it distils: KD loss {r['losses'][:10].mean():.3f} → {r['losses'][-10:].mean():.3f}")

# %% [markdown]
# ## §6-§9: applications, references, outlook, questions
#
# The applications are beyond an MLP on 8×8 digits, and the ledger says so.
# The references are checked field by field: an arXiv identifier encodes its
# month, so `1606.04455` cannot be a 2015 paper.

# %%
print(arxiv_year("1606.04455"), arxiv_year("1503.02531"))
print(format_ledger(select(["wrong", "misleading"], "§7")))
run_rows("§7")
run_rows("§8")

# %% [markdown]
# ## The glossary
#
# Each seed term, the field's standard term, the code, and a flag where the
# seed's term is non-standard, redundant or garbled.
#
# Try this: pick an item marked "not checkable" and decide whether a
# measurement could settle it; `python -m minicompress seed --status
# "not checkable"` lists them all.

# %%
print(format_glossary())
