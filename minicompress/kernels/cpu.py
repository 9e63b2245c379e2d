"""What this processor can do, asked of LLVM once per process: the choice between the kernels' tiles.

Processors differ between machines (AVX-512 with VNNI here, AVX2 only on many others), so the
integer kernels pick their tile at run time: ``vnni_available`` says whether the ``vpdpbusd`` tile
may be compiled and run; otherwise the portable tile runs, which every x86 (and, through LLVM,
every other processor Numba supports) can. ``has_avx512bw`` and ``has_avx2`` choose how
``requantize`` narrows its codes, ``has_avx512`` how the output pipeline applies its tie rule,
and the two AVX-512 checks together whether a tile spans 64 columns in 512-bit registers.
All read the features Numba compiles for (``compiled_features``), so a process told to compile
for AVX2 alone gets the AVX2 code throughout.
"""

from __future__ import annotations

import os

from numba.core import config


def vnni_available() -> bool:
    """Whether this processor has ``vpdpbusd`` on 256-bit vectors (AVX512-VNNI + AVX512VL, or AVX-VNNI).

    Read from the features Numba compiles for; ``MINICOMPRESS_VNNI=0`` turns the VNNI path off.
    """
    if config.DISABLE_JIT or os.environ.get("MINICOMPRESS_VNNI", "1") == "0":
        return False
    return _host_has_vnni()


_HOST = {}


def compiled_features() -> dict:
    """{feature: bool} of the processor Numba compiles for: ``NUMBA_CPU_FEATURES`` where it is set
    (the benchmark sets it to compile for AVX2 alone), else the host's features as LLVM reports
    them, as Numba itself decides (``NUMBA_CPU_NAME`` alone names a model, not its features)."""
    if "features" not in _HOST:
        features = {}
        try:
            if config.CPU_FEATURES is not None:
                for item in config.CPU_FEATURES.split(","):
                    if item[:1] in "+-" and len(item) > 1:
                        features[item[1:]] = item[0] == "+"
            else:
                import llvmlite.binding as llvm
                features = dict(llvm.get_host_cpu_features())
                if not config.ENABLE_AVX:
                    features = {k: v and not k.startswith("avx") for k, v in features.items()}
        except (ImportError, RuntimeError):
            features = {}
        _HOST["features"] = features
    return _HOST["features"]


def has_avx512bw() -> bool:
    """Whether the compiled code may use AVX-512BW: ``vpackssdw``/``vpacksswb`` on 64-byte vectors,
    which ``requantize`` uses to narrow 64 codes at once."""
    return bool(compiled_features().get("avx512bw", False))


def has_avx2() -> bool:
    """Whether the compiled code may use AVX2: ``vpackssdw``/``vpacksswb`` on 32-byte vectors, with
    which ``requantize`` narrows 32 codes at once where AVX-512BW is missing."""
    return bool(compiled_features().get("avx2", False))


def has_avx512() -> bool:
    """Whether the compiled code may use AVX-512F with VL: ``vpsraq`` (an arithmetic shift of 64-bit
    lanes, which AVX2 lacks) and ``vpternlogq`` on 32- and 64-byte vectors, which the output
    pipeline uses for its tie rule."""
    features = compiled_features()       # VL implies F in LLVM, so F counts unless switched off
    return bool(features.get("avx512vl", False) and features.get("avx512f", True))


def _host_has_vnni() -> bool:
    """Asked of LLVM once per process (the question costs a quarter of a millisecond)."""
    if "vnni" not in _HOST:
        f = compiled_features()
        _HOST["vnni"] = bool((f.get("avx512vnni", False) and f.get("avx512vl", False)) or f.get("avxvnni", False))
    return _HOST["vnni"]
