"""Formula checks of Deep Compression (Han, Mao & Dally 2015) for ``verify``."""

from __future__ import annotations

import numpy as np

from . import Outcome, check


@check("r = n·b / (n·log2(k) + k·b), n=16, k=4", "Deep Compression eq. 1 (its 16-weight example)")
def _ratio():
    """16·32 / (16·2 + 4·32) = 512 / 160 = 3.2."""
    from ..prune.share import sharing_ratio
    r = sharing_ratio(16, 4)
    return Outcome(3.2, round(r, 12), round(r, 12) == 3.2)


@check("Huffman lengths of 1×a, 1×b, 2×c, 4×d", "Huffman 1952")
def _huffman():
    """Merge a+b (count 2), then with c (4), then with d (8): d gets 1 bit, c 2, a and b 3 each,
    so the 8 symbols take 4·1 + 2·2 + 1·3 + 1·3 = 14 bits (fixed 2-bit codes would take 16)."""
    from ..prune.huffman import code_lengths, encode
    symbols = np.array([0, 1, 2, 2, 3, 3, 3, 3])
    lengths = code_lengths(symbols)
    _, nbits = encode(symbols, lengths)
    got = ([lengths[s] for s in range(4)], nbits)
    return Outcome(([3, 3, 2, 1], 14), got, got == ([3, 3, 2, 1], 14))


@check("gap padding: 3-bit gaps, a run of 8 zeros", "Deep Compression §2 (its example)")
def _padding():
    """Gaps hold at most 7: the weight after 8 zeros needs one padding entry (gap 7 + stored zero) then gap 0."""
    from ..prune.sparse import encode_positions
    keep = np.zeros(12, bool)
    keep[[1, 10]] = True                          # gaps 1 and 8
    gaps, syms = encode_positions(keep, np.ones(12, int), 3, pad_symbol=9)
    got = (gaps.tolist(), syms.tolist())
    return Outcome(([1, 7, 0], [1, 9, 1]), got, got == ([1, 7, 0], [1, 9, 1]))
