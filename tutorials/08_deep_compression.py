# %% [markdown]
# # 8. Deep Compression: pruning, weight sharing, Huffman coding
#
# The seed lists pruning beside quantization and distillation, and cites Han,
# Mao & Dally (2015), who compressed LeNet-300-100 40× without losing
# accuracy. Their pipeline, at teaching scale, on the digits teacher:
#
# 1. remove the smallest weights, retrain the rest (masks fixed), repeat;
# 2. cluster each layer's surviving weights into k values (k-means), store a
#    log2(k)-bit index per weight, and fine-tune the k values;
# 3. store positions as gaps between kept weights, and Huffman-code indices
#    and gaps.

# %%
import os

import numpy as np

from minicompress.experiments import FULL, QUICK
from minicompress.experiments.prune import compressed
from minicompress.plots import show
from minicompress.plots.prune import (
    make_prune_accuracy_vs_sparsity,
    make_prune_bytes_per_stage,
    make_prune_weight_histograms,
)
from minicompress.prune.huffman import code_lengths, decode, encode
from minicompress.prune.magnitude import magnitude_masks
from minicompress.prune.share import kmeans_1d, sharing_ratio
from minicompress.prune.sparse import encode_positions
from minicompress.prune.storage import CorruptModelError, decode_model

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

# %% [markdown]
# ## 8.1 The pieces, on numbers small enough to check by hand

# %%
w = np.array([0.9, -0.05, 0.3, -0.7, 0.02, 0.5])
print(magnitude_masks([w], 0.5)[0])          # [ True False False  True False  True]: the 3 smallest go
c, idx = kmeans_1d(np.array([0.1, 0.12, 0.5, 0.52, 0.9]), 3)
print(c.round(3), idx)                        # [0.11 0.51 0.9 ] [0 0 1 1 2]
print(sharing_ratio(16, 4))                   # 3.2: the paper's 16 weights in 4 clusters
symbols = np.array([0, 1, 2, 2, 3, 3, 3, 3])
lengths = code_lengths(symbols)
data, nbits = encode(symbols, lengths)
print(lengths, nbits, decode(data, nbits, len(symbols), lengths))   # {0: 3, 1: 3, 2: 2, 3: 1} 14 [0 1 2 2 3 3 3 3]
keep = np.zeros(12, bool)
keep[[1, 10]] = True
print(encode_positions(keep, np.ones(12, int), 3, pad_symbol=9))   # gaps [1 7 0], one padding entry

# %% [markdown]
# ## 8.2 The whole pipeline on the teacher

# %%
r = compressed(budget, seed=0)                 # prune.compress on the shared teacher, with each stage's bill
f32 = r["bills"]["float32"].total
for label, acc, stage in (("teacher", "teacher_acc", "float32"), ("pruned + retrained", "pruned_acc", "pruned"),
                          ("+ weight sharing", "shared_acc", "shared"), ("+ Huffman (the file)", "decoded_acc", "huffman")):
    nbytes = r["bills"][stage].total
    print(f"{label:<21}{100 * r[acc]:.1f}%  {nbytes:>7} bytes  {f32 / nbytes:.1f}x")   # the file: about 33x
print(r["bills"]["huffman"])                  # where the file's bytes go, line by line
print("decoded file predicts exactly as before encoding:", r["same_predictions"])

# %% [markdown]
# ## 8.3 A damaged file is refused, never decoded into a wrong model

# %%
damaged = bytearray(r["bytes"])
damaged[100] ^= 0xFF
for name, blob in (("one flipped byte", bytes(damaged)), ("cut in half", r["bytes"][: len(r["bytes"]) // 2])):
    try:
        decode_model(blob)
    except CorruptModelError as exc:
        print(f"{name}: {exc}")

# %%
show(make_prune_weight_histograms(FIGURES, budget))
show(make_prune_accuracy_vs_sparsity(FIGURES, budget))
show(make_prune_bytes_per_stage(FIGURES, budget))

# %% [markdown]
# **Try it.** Prune the teacher by magnitude with a slider for the sparsity
# and watch the cut move through the weights and the accuracy fall, without
# retraining (drag it in Jupyter after `%matplotlib widget`).

# %%
from minicompress.data import digits_split  # noqa: E402
from minicompress.experiments.teacher import shared_teacher  # noqa: E402
from minicompress.plots.interactive import pruning_explorer  # noqa: E402

teacher = shared_teacher(epochs=budget.teacher_epochs)[0]
explorer = pruning_explorer(teacher, digits_split().test, sparsity=0.5)
for s in (0.5, 0.8, 0.95):
    explorer.set(sparsity=s)
    print(f"sparsity {s:.0%}: |w| ≤ {explorer.state['threshold']:.3f} removed, "
          f"accuracy {100 * explorer.state['accuracy']:.1f}% without retraining")

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Flip one bit in the compressed file (not one byte) and decode it: which
# check refuses it? Then move the pruning slider above past 90%.

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.prune.magnitude:magnitude_masks",
    "minicompress.prune.share:kmeans_1d",
    "minicompress.prune.huffman:code_lengths",
    "minicompress.prune.storage:encode_model",
))
