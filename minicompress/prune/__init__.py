"""Pruning, weight sharing and Huffman coding: the Deep Compression pipeline (Han, Mao & Dally 2015).

    huffman.py    canonical Huffman coding of small integer symbols
    magnitude.py  magnitude pruning (layer-wise or global) with fixed masks for retraining
    neurons.py    neuron (structured) pruning: unit importance, thinning to a smaller MLP, the AGP schedule
    pipeline.py   prune → retrain → share → fine-tune → encode, on a given teacher
    share.py      k-means weight sharing per layer and centroid fine-tuning; eq. 1's ratio
    sparse.py     relative (gap) positions of the kept weights, with padding entries
    storage.py    the compressed file, every byte counted, CRC-checked on decoding
"""

from .huffman import DecodeError, canonical_codes, code_lengths
from .magnitude import MaskedLinear, magnitude_masks, prune, sparsity_report, to_dense
from .pipeline import SCHEDULE, compress, prune_and_retrain
from .share import SharedLinear, kmeans_1d, share_weights, sharing_ratio
from .sparse import decode_positions, encode_positions
from .storage import Breakdown, CorruptModelError, decode_model, encode_model

__all__ = ["DecodeError", "canonical_codes", "code_lengths", "MaskedLinear", "magnitude_masks", "prune",
           "sparsity_report", "to_dense", "SCHEDULE", "compress", "prune_and_retrain", "SharedLinear", "kmeans_1d",
           "share_weights", "sharing_ratio", "decode_positions", "encode_positions", "Breakdown",
           "CorruptModelError", "decode_model", "encode_model"]
