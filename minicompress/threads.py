"""Threads chosen for small matrices and shared machines: one BLAS thread, and OpenMP threads that sleep.

minicompress multiplies small matrices (at most 4096×256 by 256×256), where
a second BLAS thread gains little. The cost of more threads shows when the
machine is busy: OpenBLAS's workers and GNU OpenMP's (Numba's ``omp``
threading layer) spin-wait for work, so on a core another process needs they
burn the time that process (or minicompress's own other thread) would use.
On a 2-core machine with two other busy processes, tutorial 1 ran 3.6-4.2×
slower than idle with the libraries' defaults.

So, when ``minicompress`` is imported:

* the BLAS gets ``MINICOMPRESS_BLAS_THREADS`` threads (default 1), set with
  ``threadpoolctl`` (which works after NumPy is loaded: it calls the
  library's own set-threads function);
* ``OMP_WAIT_POLICY`` defaults to ``PASSIVE`` and ``GOMP_SPINCOUNT`` to
  30000: an idle OpenMP thread spins for a short while (about a third of a
  millisecond by GNU OpenMP's own estimate), then sleeps. With no spin at
  all, waking the threads costs about 0.1 ms per parallel region, four
  times per forward pass of the integer MLP (0.65 ms instead of 0.41 at
  batch 450); with GNU's default (3 ms of spinning) a busy core is spun on.
  Both must be in the environment before Numba's OpenMP runtime starts,
  which is why this runs at import, before any kernel. Values the user set
  are kept.

``MINICOMPRESS_BLAS_THREADS=keep`` leaves both libraries as they were
(the ``bench busy`` comparison uses it for its "before" rows). ``blas_threads``
changes the count for one block, as the benchmarks do for their large float
GEMMs, and ``describe`` is what ``info`` prints.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

ENV = "MINICOMPRESS_BLAS_THREADS"
_CONFIGURED = {"blas": None, "set_omp": []}
SPIN = "30000"


def _requested():
    """The BLAS thread count the environment asks for: an int, or None for "keep"."""
    text = os.environ.get(ENV, "1").strip().lower()
    if text == "keep":
        return None
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"{ENV}={text!r}: expected a whole number of threads >= 1, or 'keep' to leave the "
                         "BLAS as it is") from None
    if n < 1:
        raise ValueError(f"{ENV}={n}: expected at least 1 thread, or 'keep' to leave the BLAS as it is")
    return n


def configure() -> None:
    """Apply the thread choices above once per process (called by ``import minicompress``)."""
    if _CONFIGURED["blas"] is not None:
        return
    n = _requested()
    if n is not None:
        for name, value in (("OMP_WAIT_POLICY", "PASSIVE"), ("GOMP_SPINCOUNT", SPIN)):
            if name not in os.environ:
                os.environ[name] = value
                _CONFIGURED["set_omp"].append(name)
        import numpy  # noqa: F401  (loads the BLAS, so that threadpoolctl finds it)
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=n, user_api="blas")
    _CONFIGURED["blas"] = "keep" if n is None else n


@contextmanager
def blas_threads(n: int | None = None):
    """Run a block with ``n`` BLAS threads (default: one per core), then restore the previous count."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=n or os.cpu_count() or 1, user_api="blas"):
        yield


def library_defaults_env() -> dict:
    """The environment of a child process that should run with the libraries' own thread defaults."""
    env = {**os.environ, ENV: "keep"}
    for name in _CONFIGURED["set_omp"]:
        env.pop(name, None)
    return env


def describe() -> list:
    """Lines for ``info``: each BLAS with its threads, and Numba's threading layer, threads and wait policy."""
    from threadpoolctl import threadpool_info
    lines = []
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            lines.append(f"BLAS         {lib.get('internal_api')} {lib.get('version')}, {lib.get('num_threads')} "
                         f"thread(s) ({ENV}={os.environ.get(ENV, '1')})")
    try:
        import numba
        try:
            layer = f"threading layer {numba.threading_layer()!r}"
        except ValueError:                                # no parallel kernel has run in this process yet
            layer = f"threading layer {numba.config.THREADING_LAYER!r} (none started yet)"
        lines.append(f"Numba        {layer}, {numba.get_num_threads()} thread(s), "
                     f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
                     f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', '(unset)')}")
    except ImportError:
        lines.append("Numba        not installed")
    return lines
