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

from minicompress.prune.huffman import code_lengths, decode, encode
from minicompress.prune.magnitude import magnitude_masks
from minicompress.prune.pipeline import compress
from minicompress.prune.share import kmeans_1d, sharing_ratio
from minicompress.prune.sparse import encode_positions
from minicompress.prune.storage import CorruptModelError, decode_model
from minicompress.plots.prune import (make_prune_accuracy_vs_sparsity, make_prune_bytes_per_stage,
                                      make_prune_weight_histograms)

QUICK = os.environ.get("MINICOMPRESS_QUICK") == "1"
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "figures")

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
r = compress(seed=0, quick=QUICK)
f32 = r["float32_bytes"]
print(f"teacher              {100 * r['teacher_acc']:.1f}%  {f32:>7} bytes")
print(f"pruned + retrained   {100 * r['pruned_acc']:.1f}%  {r['pruned_bytes']:>7} bytes  {f32 / r['pruned_bytes']:.1f}x")
print(f"+ weight sharing     {100 * r['shared_acc']:.1f}%  {r['shared_bytes']:>7} bytes  {f32 / r['shared_bytes']:.1f}x")
print(f"+ Huffman (the file) {100 * r['decoded_acc']:.1f}%  {r['huffman_bytes']:>7} bytes  "
      f"{f32 / r['huffman_bytes']:.1f}x")          # about 33x at 97.1%
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
print("figure:", make_prune_weight_histograms(FIGURES, quick=QUICK))
print("figure:", make_prune_accuracy_vs_sparsity(FIGURES, quick=QUICK))
print("figure:", make_prune_bytes_per_stage(FIGURES, quick=QUICK))
