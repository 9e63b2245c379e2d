"""Pruning, weight sharing and Huffman coding: the Deep Compression pipeline (Han, Mao & Dally 2015).

    magnitude.py  magnitude pruning (layer-wise or global) with fixed masks for retraining
    share.py      k-means weight sharing per layer and centroid fine-tuning; eq. 1's ratio
    huffman.py    canonical Huffman coding of small integer symbols
    sparse.py     relative (gap) positions of the kept weights, with padding entries
    storage.py    the compressed file, every byte counted, CRC-checked on decoding
    pipeline.py   prune → retrain → share → fine-tune → encode, and its measurements
"""
