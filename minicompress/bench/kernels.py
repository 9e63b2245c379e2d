"""The integer kernels, each against its NumPy peer: GEMM, fused quantize, requantize, the integer-only MLP."""

from __future__ import annotations

import time

import numpy as np
from numba import njit, prange

from ..experiments.budget import FULL, Budget
from ..nn import MLP
from . import bench, best_times


def _tiny_layer(parallel: bool, vnni: bool):
    from ..kernels.layer import layer_int8, prepare_layer
    layer = prepare_layer(np.ones((3, 2), np.int8), np.zeros(2, np.int32), [2 ** 30] * 2, [0, 0], 0)
    return layer_int8(np.ones((2, 3), np.int8), layer, parallel=parallel, vnni=vnni)


def _tiny_network(parallel: bool, vnni: bool):
    from ..kernels.layer import prepare_layer
    from ..kernels.network import network_int8
    layer = prepare_layer(np.ones((3, 3), np.int8), np.zeros(3, np.int32), [2 ** 30] * 3, [0] * 3, 0)
    return network_int8(np.ones((2, 3), np.int8), [layer, layer], parallel=parallel, vnni=vnni)


def _first_calls() -> list:
    """Call each kernel once on tiny inputs: the compile (or cache load) cost, reported apart."""
    from ..kernels import gemm, microkernel, pack, quantize, requant
    a = np.ones((2, 3), np.int8)
    jobs = [("gemm naive", gemm._naive, lambda: gemm.gemm_int8_naive(a, a.T.copy())),
            ("pack B (panels), serial", microkernel._pack_b_serial, lambda: microkernel.pack_b(a)),
            ("pack B (panels), parallel", microkernel._pack_b_parallel, lambda: microkernel._pack_b_parallel(a)),
            ("gemm fast, parallel", microkernel._gemm_parallel, lambda: gemm.gemm_int8(a, a.T.copy())),
            ("gemm fast, serial", microkernel._gemm_serial, lambda: gemm.gemm_int8(a, a.T.copy(), parallel=False)),
            ("fused quantize", quantize._quantize, lambda: quantize.quantize_fused(np.ones(4, np.float32), 0.1)),
            ("quantize, per tensor", quantize._half_away_serial,
             lambda: quantize.quantize_tensor(np.ones(4, np.float32), 0.1)),
            ("requantize", microkernel._requantize_strips,
             lambda: requant.requantize(np.ones((2, 2), np.int32), 2 ** 30, 0)),
            ("fused layer, serial", microkernel._layer_serial, lambda: _tiny_layer(False, False)),
            ("fused layer, parallel", microkernel._layer_parallel, lambda: _tiny_layer(True, False)),
            ("whole network, serial", microkernel._network_serial, lambda: _tiny_network(False, False)),
            ("whole network, parallel", microkernel._network_parallel, lambda: _tiny_network(True, False)),
            ("pack/unpack", pack._pack, lambda: pack.unpack(pack.pack(np.zeros(4, np.int8), 4), 4, 4))]
    from ..kernels.cpu import vnni_available
    if vnni_available():
        jobs += [("fused layer VNNI, serial", microkernel._layer_serial_vnni, lambda: _tiny_layer(False, True)),
                 ("fused layer VNNI, parallel", microkernel._layer_parallel_vnni, lambda: _tiny_layer(True, True)),
                 ("whole network VNNI, serial", microkernel._network_serial_vnni, lambda: _tiny_network(False, True)),
                 ("whole network VNNI, parallel", microkernel._network_parallel_vnni,
                  lambda: _tiny_network(True, True))]
    rows = []
    for name, dispatcher, call in jobs:
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
        stats = getattr(dispatcher, "stats", None)
        source = "JIT off" if stats is None else ("loaded from cache" if stats.cache_hits else "compiled")
        rows.append((name, seconds, source))
    return rows


def measure_gemm(sizes, rounds: int = 8, repeats: int | None = None) -> dict:
    """GOP/s of each GEMM at each square size n (ops = 2·n³), measured side by side.

    This machine's speed drifts by up to 1.5x from one second to the next, so the fast
    contenders take turns in ``rounds`` rounds (fast, fast with B packed once, serial, BLAS,
    fast, ...), each turn its own block of calls after a pause (OpenBLAS's threads keep
    spinning after a float matmul and would steal the cores from the next contender). Each
    contender's figure is its best block: the speed it reaches when the machine is not
    disturbed. ``repeats`` timings per block; by default as many as fill about 0.1 s.

    The float32 BLAS gets one thread per core here (minicompress gives it one thread for its
    small matrices; at these sizes the comparison is with the BLAS at its best).
    """
    from ..threads import blas_threads
    with blas_threads():
        return _measure_gemm(sizes, rounds, repeats)


def _measure_gemm(sizes, rounds, repeats) -> dict:
    from ..kernels.gemm import gemm_int8, gemm_int8_naive, gemm_int8_prepared, prepare_b
    g = np.random.default_rng(0)
    data = {"sizes": list(sizes), "int8 naive": [], "int8 fast": [], "int8 fast, B packed once": [],
            "int8 fast, serial": [], "NumPy float32 @": [], "NumPy int32 @": []}
    for n in sizes:
        A = g.integers(-128, 128, (n, n)).astype(np.int8)
        B = g.integers(-128, 128, (n, n)).astype(np.int8)
        Af, Bf, Ai, Bi = A.astype(np.float32), B.astype(np.float32), A.astype(np.int32), B.astype(np.int32)
        packed = prepare_b(B)
        fast = [lambda: gemm_int8(A, B), lambda: gemm_int8_prepared(A, packed),
                lambda: gemm_int8(A, B, parallel=False), lambda: Af @ Bf]
        fast[0]()
        start = time.perf_counter()
        fast[0]()
        once = time.perf_counter() - start
        number = max(1, int(1e-3 / once))                   # calls per timing: at least ~1 ms
        block = repeats or max(5, int(0.1 / (once * number)))      # ~0.1 s of timings per block
        t = [float("inf")] * len(fast)
        for _ in range(rounds):
            t = [min(a, b) for a, b in zip(t, best_times(fast, repeats=block, number=number,
                                                         interleave=False))]
        t_slow = best_times([lambda: gemm_int8_naive(A, B), lambda: Ai @ Bi], repeats=2, number=1)
        for key, sec in zip(("int8 fast", "int8 fast, B packed once", "int8 fast, serial", "NumPy float32 @",
                             "int8 naive", "NumPy int32 @"),
                            (*t, *t_slow)):
            data[key].append(round(2 * n ** 3 / sec / 1e9, 3))
    return data


@bench("kernels")
def bench_kernels(budget: Budget = FULL) -> str:
    """GEMM GOP/s, fused quantize GB/s and integer-MLP throughput, each against its NumPy peer."""
    from ..kernels.quantize import quantize_fused
    lines = ["first call of each kernel (Numba compile, or load from its cache), not in the timings below:"]
    lines += [f"  {name:<30}{sec * 1e3:>9.1f} ms  {src}" for name, sec, src in _first_calls()]

    sizes = budget.bench_sizes
    data = measure_gemm(sizes, rounds=budget.bench_rounds, repeats=budget.bench_gemm_repeats)
    lines += ["", "GEMM C = A·B, square n×n×n, GOP/s with ops = 2·n³ (best of alternating blocks, see measure_gemm)",
              f"{'n':>6}{'int8 naive':>12}{'int8 fast':>11}{'B packed':>10}{'(serial)':>10}{'f32 BLAS':>10}"
              f"{'int32 @':>9}{'fast/BLAS':>11}{'packed/BLAS':>13}{'fast/int32@':>13}"]
    for i, n in enumerate(sizes):
        naive, fast, serial = data["int8 naive"][i], data["int8 fast"][i], data["int8 fast, serial"][i]
        packed, blas, i32 = data["int8 fast, B packed once"][i], data["NumPy float32 @"][i], data["NumPy int32 @"][i]
        lines.append(f"{n:>6}{naive:>12.2f}{fast:>11.1f}{packed:>10.1f}{serial:>10.1f}{blas:>10.1f}{i32:>9.2f}"
                     f"{fast / blas:>10.2f}x{packed / blas:>12.2f}x{fast / i32:>12.0f}x")
    lines += ["targets at 512: fast ≥ 1.0x float32 BLAS and ≥ 50x NumPy int32 @",
              "'int8 fast' packs B on every call; 'B packed once' is how inference runs",
              "(weights packed offline by prepare_b). BLAS packs both operands inside every call."]

    x = np.random.default_rng(0).normal(size=budget.bench_vector).astype(np.float32)
    q, z = np.float64(0.02), 3      # subtle: a float64 step makes NumPy divide in float64, as quantize() does

    def half_away():
        s = x / q
        t = np.trunc(s)
        return np.clip(t + np.sign(s) * (np.abs(s - t) >= 0.5) + z, -128, 127).astype(np.int8)

    lines += ["", f"fused quantize of {x.size:,} float32 values to int8 (GB/s of float32 read)"]
    for mode, expr in (("half_even", lambda: np.clip(np.rint(x / q) + z, -128, 127).astype(np.int8)),
                       ("half_away", half_away)):
        assert np.array_equal(expr(), quantize_fused(x, q, z, rounding=mode))
        tk, tn = best_times([lambda: quantize_fused(x, q, z, rounding=mode), expr], repeats=5, number=3)
        gb = x.nbytes / 1e9
        lines.append(f"  {mode:<10} kernel {gb / tk:>6.2f} GB/s   NumPy expression {gb / tn:>6.2f} GB/s"
                     f"   ratio {tn / tk:>5.1f}x  (target ≥ 2x)")

    quick = budget.name.lower() == "quick"
    avx2 = None if quick else _avx2_child(_MLP_BATCHES, _MLP_REPEATS)
    lines += ["", _bench_requantize(budget, avx2), "", _bench_integer_mlp(budget, avx2)]
    return "\n".join(lines)


@njit(cache=True, parallel=True)
def _narrowing_copy(acc, out):
    """out = the top byte of each accumulator, rows split between the threads as requantize splits
    them: the same memory traffic with almost no arithmetic, the floor for requantize's time."""
    for t in prange(-(-acc.shape[0] // 16)):
        for r in range(16 * t, min(acc.shape[0], 16 * t + 16)):
            for c in range(acc.shape[1]):
                out[r, c] = np.int8(acc[r, c] >> 24)            # the top byte: always in int8's range


def _requantize_times(rows: int, z: int = 0, lo: int = -128) -> tuple:
    """(seconds of the first kernel, of today's, of a plain int32 → int8 copy on all threads, share of
    codes at the int8 limits) on a rows×256 accumulator whose codes mostly do not saturate (they
    spread over the int8 range, as a real layer's do), side by side in one run; zero point ``z`` and
    lower clamp ``lo``."""
    from ..kernels.microkernel import _requantize_rows, empty_codes
    from ..kernels.requant import _requantize_scalar, quantize_multiplier
    from ..kernels.twins import epilogue_params
    g = np.random.default_rng(2)
    acc = g.normal(0, 2 ** 16, (rows, 256)).astype(np.int32)
    mult = [quantize_multiplier(m) for m in g.uniform(0.5, 2.0, 256) * 40 / 2 ** 16]   # codes about ±40·|z|
    M0 = np.array([p[0] for p in mult], np.int64)
    n = np.array([p[1] for p in mult], np.int64)
    epi = epilogue_params(np.zeros(256, np.int32), M0, n, z, lo, 127)
    out_a, out_b = empty_codes(acc), empty_codes(acc)          # as requantize allocates its codes
    before = lambda: _requantize_scalar(acc, M0, n, np.int64(z), np.int64(lo), np.int64(127), out_a)  # noqa: E731
    after = lambda: _requantize_rows(acc, epi, out_b)  # noqa: E731
    before(), after()
    assert np.array_equal(out_a, out_b)
    saturated = float(np.mean((out_b == lo) | (out_b == 127)))
    _narrowing_copy(acc, out_a)
    times = best_times([before, after, lambda: _narrowing_copy(acc, out_a)], repeats=21, number=5)
    return (*times, saturated)


def _bench_requantize(budget: Budget, avx2=None) -> str:
    """Today's branch-free requantization against the first kernel, as ``requantize`` calls it (z = 0, the
    whole int8 range) and with a zero point and a ReLU's clamp; ``avx2``: the first, measured in the
    AVX2-only child process (``_avx2_child``)."""
    rows = 4096 if budget.name.lower() != "quick" else 512
    t_before, t_after, t_cast, saturated = _requantize_times(rows)
    z_before, z_after, _, z_saturated = _requantize_times(rows, z=-5, lo=-5)
    lines = [f"requantize a {rows}×256 int32 accumulator ({100 * saturated:.1f}% of codes at the int8 limits)",
             f"  first kernel (before) {1e3 * t_before:>7.3f} ms   branch-free, 64 columns a step {1e3 * t_after:>7.3f} ms"
             f"   ratio {t_before / t_after:.2f}x  (target ≥ 5x)",
             f"  with a zero point and a ReLU's clamp (z = -5, codes in [-5, 127], {100 * z_saturated:.1f}% at "
             f"the limits): before {1e3 * z_before:.3f} ms, after {1e3 * z_after:.3f} ms, ratio {z_before / z_after:.2f}x"]
    if isinstance(avx2, dict):
        b, a = avx2["requantize"][:2]
        lines.append(f"  compiled for AVX2 alone (the child process below): before {1e3 * b:.3f} ms, after "
                     f"{1e3 * a:.3f} ms, ratio {b / a:.2f}x")
    lines.append("  the first kernel is written one value at a time, but LLVM may vectorise its loop over columns "
                 "(with AVX-512 it does, in 8 int64 lanes). Today's takes 16 codes in 10 vector instructions "
                 "with AVX-512, 11 without (two 32×32 → 64-bit multiplies, the tie rule, the high halves, one "
                 "shift); with AVX-512BW it narrows, adds z and clamps 64 codes in 4 to 8 more. For scale, a "
                 "copy of each accumulator's top byte, split between the threads in the same strips (the same "
                 f"memory traffic, next to no arithmetic), takes {1e3 * t_cast:.3f} ms")
    return "\n".join(lines)


def _teacher_like(seed: int = 1):
    """An integer 64-256-256-10 MLP and the same weights as float32 arrays for ``x @ W + b``."""
    from ..integer import IntegerMLP
    g = np.random.default_rng(seed)
    model = MLP((64, 256, 256, 10), rng=0)
    im = IntegerMLP.from_float(model, g.uniform(0, 1, (512, 64)).astype(np.float32))
    params = [(p.data.T.copy(), b.data.copy()) for p, b in zip(model.parameters()[::2], model.parameters()[1::2])]

    def float_forward(X):
        h = X
        for i, (w, b) in enumerate(params):
            h = h @ w
            h += b
            if i + 1 < len(params):
                np.maximum(h, 0, out=h)
        return h
    return im, float_forward, sum(w.size for w, _ in params), g


def _float_and_portable(batches, repeats: int) -> list:
    """(batch, float32 s, portable integer s) for each batch, side by side: what the AVX2 child measures."""
    from ..kernels.network import network_from_float
    from ..threads import blas_threads
    im, float_forward, _, g = _teacher_like()
    rows = []
    for batch in batches:
        X = g.uniform(0, 1, (batch, 64)).astype(np.float32)
        layers = [L.fused for L in im.layers]
        t_float1, t_port = best_times([lambda: float_forward(X),
                                       lambda: network_from_float(X, im.q_in, im.z_in, layers, vnni=False)],
                                      repeats=repeats, number=5)
        with blas_threads():
            (t_float_all,) = best_times([lambda: float_forward(X)], repeats=repeats, number=5)
        rows.append((batch, min(t_float1, t_float_all), t_port))
    return rows


def avx2_features(host: str) -> str:
    """NUMBA_CPU_FEATURES for "this processor without anything newer than AVX2": the host's list
    (``+name,-name,...``) with every AVX-512, AVX10, AVX-VNNI-like and AMX feature turned off.
    Naming a CPU model alone (NUMBA_CPU_NAME=haswell) is not enough: Numba still passes the
    host's features to LLVM, and those switch AVX-512 back on."""
    items = []
    for item in filter(None, host.split(",")):
        name = item[1:]
        newer = name.startswith(("avx512", "avx10", "amx", "evex512")) or (name.startswith("avx") and
                                                                            name not in ("avx", "avx2"))
        items.append("-" + name if newer else item)
    return ",".join(items)


def _avx2_child(batches, repeats: int):
    """The portable forward compiled for a processor with AVX2 and nothing newer (no AVX-512, no
    VNNI), beside float32 with OpenBLAS's Haswell kernels, in a child process: what an AVX2-only
    machine runs, on this machine's cores. The child checks its own machine code for 512-bit
    registers and says whether it found any."""
    import json
    import os
    import platform
    import subprocess
    import sys
    import tempfile

    from numba.core.codegen import get_host_cpu_features
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "  AVX2-only code: not measured (this is not an x86-64 processor)"
    with tempfile.TemporaryDirectory() as cache:
        # Both sides as on an AVX2 machine: Numba compiles for "haswell" with AVX-512 and VNNI
        # switched off, and OpenBLAS (which picks its kernels at run time too) is told to use its
        # Haswell kernels instead of its AVX-512 ones.
        env = dict(os.environ, NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES=avx2_features(get_host_cpu_features()),
                   MINICOMPRESS_VNNI="0", NUMBA_CACHE_DIR=cache, OPENBLAS_CORETYPE="Haswell")
        code = ("import json; from minicompress.bench.kernels import _float_and_portable as f, "
                "_requantize_times as r, _uses_zmm as z; "
                f"m, q = f({list(batches)}, {repeats}), r(4096); "
                "print(json.dumps({'mlp': m, 'requantize': q, 'zmm': z()}))")
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        return "  AVX2-only code: the child process failed: " + (run.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _uses_zmm() -> bool:
    """Whether the machine code of the portable layer kernel or of requantize names a 512-bit
    register (in a process that has run both)."""
    from ..kernels import microkernel
    return any("zmm" in asm for kernel in (microkernel._layer_parallel, microkernel._requantize_strips)
               for asm in kernel.inspect_asm().values())


def _avx2_lines(avx2) -> str:
    """The MLP rows of ``_avx2_child``'s answer, or its reason for having none."""
    if not isinstance(avx2, dict):
        return avx2
    checked = ("it names no 512-bit register: checked in its machine code" if not avx2.get("zmm", True)
               else "BUT its machine code names 512-bit registers: this is not an AVX2-only measurement")
    lines = ["  as on an AVX2-only machine, in a child process: the portable forward compiled for AVX2 alone",
             "  (NUMBA_CPU_NAME=haswell, AVX-512 and VNNI off in NUMBA_CPU_FEATURES: vpmaddwd + vpaddd;",
             f"  {checked}) beside float32 on OpenBLAS's Haswell kernels",
             "  (OPENBLAS_CORETYPE=Haswell); batch, float32 ms, integer ms, speed-up:"]
    for batch, t_float, t_port in avx2["mlp"]:
        lines.append(f"{batch:>7}{1e3 * t_float:>12.3f}{1e3 * t_port:>12.3f}{t_float / t_port:>9.2f}x")
    return "\n".join(lines)


_MLP_BATCHES, _MLP_REPEATS = (450, 4096), 15


def _bench_integer_mlp(budget: Budget, avx2=None) -> str:
    """The integer-only 64-256-256-10 forward against the float32 one, and where its time goes."""
    from ..kernels.cpu import compiled_features, vnni_available
    from ..kernels.layer import SERIAL_BELOW, layer_int8
    from ..kernels.network import network_from_float
    from ..threads import blas_threads
    im, float_forward, macs, g = _teacher_like()
    layers = [L.fused for L in im.layers]
    quick = budget.name.lower() == "quick"
    batches, repeats = ((450,), 7) if quick else (_MLP_BATCHES, _MLP_REPEATS)
    tile = "VNNI (vpdpbusd)" if vnni_available() else "portable (vpmaddwd on x86)"
    lines = [f"integer-only 64-256-256-10 forward (float32 in, one fused kernel that quantizes the input and runs "
             f"every layer, int8 logits; {tile} "
             "tile) against float32 NumPy (x @ W + b, ReLU in place; the float side is the faster of 1 BLAS "
             "thread and one per core)",
             f"{'batch':>7}{'float32 ms':>12}{'integer ms':>12}{'speed-up':>10}{'portable':>10}{'speed-up':>10}"
             f"{'unfused ms':>12}{'quantize in':>13}{'GEMM':>7}{'epilogue':>10}{'fused GOP/s':>13}"]
    for batch in batches:
        X = g.uniform(0, 1, (batch, 64)).astype(np.float32)
        inputs = im.forward_all(X)[:-1]
        assert np.array_equal(im.forward_codes(X), im.forward_unfused(X)[-1])
        gemms = lambda: [layer_int8(c, L, finish=False) for c, L in zip(inputs, layers)]  # noqa: E731
        portable = lambda X=X: network_from_float(X, im.q_in, im.z_in, layers, vnni=False)  # noqa: E731
        t_int, t_portable, t_unfused, t_quant, t_gemm, t_float1 = best_times(
            [lambda: im.forward_codes(X), portable, lambda: im.forward_unfused(X), lambda: im.quantize_input(X),
             gemms, lambda: float_forward(X)], repeats=repeats, number=5)
        with blas_threads():
            (t_float_all,) = best_times([lambda: float_forward(X)], repeats=repeats, number=5)
        t_float = min(t_float1, t_float_all)
        epilogue = max(t_int - t_quant - t_gemm, 0.0)
        lines.append(f"{batch:>7}{1e3 * t_float:>12.3f}{1e3 * t_int:>12.3f}{t_float / t_int:>9.2f}x"
                     f"{1e3 * t_portable:>10.3f}{t_float / t_portable:>9.2f}x{1e3 * t_unfused:>12.3f}"
                     f"{100 * t_quant / t_int:>12.0f}%{100 * t_gemm / t_int:>6.0f}%"
                     f"{100 * epilogue / t_int:>9.0f}%{2 * macs * batch / t_int / 1e9:>13.1f}")
    features = compiled_features()
    fused = (" Where the processor has VNNI, as this one does, LLVM fuses the portable tile's vpmaddwd and vpaddd into "
             "VNNI's vpdpwssd: the figures free of VNNI are the AVX2-only ones below."
             if features.get("avx512vnni") or features.get("avxvnni") else "")
    lines.append("targets: at least 1.5x faster than float32 at batch 450, 2x at 4096. 'portable' is the same "
                 "forward on the tile every processor runs (vpmaddwd, not VNNI's vpdpbusd), compiled for this one "
                 f"(with AVX-512, 4x64 tiles in 512-bit registers).{fused} Shares are of the fused forward: "
                 "quantize in = that step timed as "
                 "its own pass (the kernel does it strip by strip); GEMM = the layers with their sums stored to "
                 "memory and no output pipeline; epilogue = the rest (bias, requantization, clamp, and the "
                 "threads' start)")
    if avx2 is not None:
        lines.append(_avx2_lines(avx2))
    lines += ["", f"small batches: the fused forward on one thread against the parallel region "
                  f"(one thread is chosen below {SERIAL_BELOW} rows)",
              f"{'batch':>7}{'serial ms':>11}{'parallel ms':>13}"]
    for batch in (1, 8, 32, 128, 450):
        X = g.uniform(0, 1, (batch, 64)).astype(np.float32)
        t_s, t_p = best_times([lambda X=X: network_from_float(X, im.q_in, im.z_in, layers, parallel=False),
                               lambda X=X: network_from_float(X, im.q_in, im.z_in, layers, parallel=True)],
                              repeats=7, number=5)
        lines.append(f"{batch:>7}{1e3 * t_s:>11.3f}{1e3 * t_p:>13.3f}")
    return "\n".join(lines)
