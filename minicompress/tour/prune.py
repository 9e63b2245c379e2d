"""The tour's Deep Compression rows: pruned, + weight sharing, + Huffman (the decoded file)."""

from __future__ import annotations

from ..experiments.prune import compress_with_bills
from ..train import predict_logits, time_inference
from . import Row, stage


@stage("deep compression", order=40)
def prune_rows(ctx):
    r = compress_with_bills(ctx.teacher, ctx.split, ctx.budget, seed=ctx.seed)
    n, test, bills = ctx.teacher.num_parameters(), ctx.split.test, r["bills"]
    sparsity = 1 - r["kept"] / r["weights"]
    return [
        Row("pruned 92% (global) + retrained", r["pruned_acc"], n, bills["pruned"].total,
            time_inference(lambda X: predict_logits(r["dense"], X), test.X),
            note=f"{100 * sparsity:.1f}% of weights removed; float32 values + {r['index_bits']}-bit gaps"),
        Row("+ 16-way weight sharing", r["shared_acc"], n, bills["shared"].total, float("nan"),
            note="k-means per layer, codebook fine-tuned; fixed-width indices"),
        Row("+ Huffman coding (decoded file)", r["decoded_acc"], n, bills["huffman"].total,
            time_inference(lambda X: predict_logits(r["decoded"], X), test.X),
            note="every byte counted; predictions identical to before encoding: "
                 + ("yes" if r["same_predictions"] else "NO")),
    ]
