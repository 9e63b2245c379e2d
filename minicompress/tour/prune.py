"""The tour's Deep Compression rows: pruned, + weight sharing, + Huffman (the decoded file)."""

from __future__ import annotations

from ..experiments.prune import compress_with_bills
from . import measured, stage
from .teacher import TEACHER


@stage("deep compression", order=40, seconds=2)
def prune_rows(ctx):
    r = compress_with_bills(ctx.teacher, ctx.split, ctx.budget, seed=ctx.seed)
    n, test, bills = ctx.teacher.num_parameters(), ctx.split.test, r["bills"]
    sparsity = 1 - r["kept"] / r["weights"]
    return [
        measured("pruned 92% (global) + retrained", [r["dense"]], test, params=n, nbytes=bills["pruned"].total,
                 compare=(TEACHER,),
                 note=f"{100 * sparsity:.1f}% of weights removed; float32 values + {r['index_bits']}-bit gaps"),
        measured("+ 16-way weight sharing", [r["shared"]], test, params=n, nbytes=bills["shared"].total,
                 note="k-means per layer, codebook fine-tuned; fixed-width indices", compare=(TEACHER,)),
        measured("+ Huffman coding (decoded file)", [r["decoded"]], test, params=n, nbytes=bills["huffman"].total,
                 note="every byte counted; predictions identical to before encoding: "
                      + ("yes" if r["same_predictions"] else "NO")),
    ]
