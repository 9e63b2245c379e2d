"""What this processor can do, asked of LLVM once per process: the choice between the kernels' tiles.

Processors differ between machines (AVX-512 with VNNI here, AVX2 only on many others), so the
integer kernels pick their tile at run time: ``vnni_available`` says whether the ``vpdpbusd`` tile
may be compiled and run; otherwise the portable tile runs, which every x86 (and, through LLVM,
every other processor Numba supports) can.
"""

from __future__ import annotations

import os

from numba.core import config


def vnni_available() -> bool:
    """Whether this processor has ``vpdpbusd`` on 256-bit vectors (AVX512-VNNI + AVX512VL, or AVX-VNNI).

    Read from the features LLVM detects for the host; ``MINICOMPRESS_VNNI=0`` turns the VNNI path off.
    """
    if config.DISABLE_JIT or os.environ.get("MINICOMPRESS_VNNI", "1") == "0":
        return False
    return _host_has_vnni()


_HOST = {}


def _host_has_vnni() -> bool:
    """Asked of LLVM once per process (the question costs a quarter of a millisecond)."""
    if "vnni" not in _HOST:
        try:
            import llvmlite.binding as llvm
            f = llvm.get_host_cpu_features()
            _HOST["vnni"] = bool((f.get("avx512vnni", False) and f.get("avx512vl", False)) or f.get("avxvnni", False))
        except (ImportError, RuntimeError):
            _HOST["vnni"] = False
    return _HOST["vnni"]
