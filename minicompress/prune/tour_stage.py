"""The tour's Deep Compression rows: pruned, + weight sharing, + Huffman (the decoded file)."""

from __future__ import annotations

from ..registry import Row, stage
from ..train import predict_logits, time_inference
from .pipeline import compress


@stage("deep compression", order=40)
def prune_rows(ctx):
    r = compress(seed=ctx.seed, quick=ctx.quick)
    n, test = ctx.teacher.num_parameters(), ctx.split.test
    sparsity = 1 - r["kept"] / r["weights"]
    return [
        Row("pruned 92% (global) + retrained", r["pruned_acc"], n, r["pruned_bytes"],
            time_inference(lambda X: predict_logits(r["dense"], X), test.X),
            note=f"{100 * sparsity:.1f}% of weights removed; float32 values + 5-bit gaps"),
        Row("+ 16-way weight sharing", r["shared_acc"], n, r["shared_bytes"], float("nan"),
            note="k-means per layer, codebook fine-tuned; fixed-width indices"),
        Row("+ Huffman coding (decoded file)", r["decoded_acc"], n, r["huffman_bytes"],
            time_inference(lambda X: predict_logits(r["decoded"], X), test.X),
            note="every byte counted; predictions identical to before encoding: "
                 + ("yes" if r["same_predictions"] else "NO")),
    ]
