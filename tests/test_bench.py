"""The benchmark's two sides must compute the same step, or the ratio means nothing."""

import numpy as np

from minicompress.bench import autograd_step, numpy_step, run
from minicompress.experiments import QUICK
from minicompress.nn import MLP
from minicompress.optim import SGD


def test_hand_written_step_equals_the_autograd_step():
    g = np.random.default_rng(0)
    x = g.standard_normal((32, 20)).astype(np.float32)
    y = g.integers(0, 5, 32)
    model = MLP((20, 16, 12, 5), rng=1)
    params = [p.data.copy() for p in model.parameters()]
    opt = SGD(model.parameters(), lr=0.05)
    for _ in range(3):
        l_auto = autograd_step(model, opt, x, y)
        l_np = numpy_step(params, x, y, 0.05)
        assert np.isclose(l_auto, l_np, rtol=1e-5)
    for p, q in zip(model.parameters(), params):
        assert np.allclose(p.data, q, atol=1e-6)


def test_bench_autograd_prints_both_timings_and_the_ratio():
    text = run(["autograd"], QUICK)
    assert "64-128-10" in text and "784-256-10" in text
    ratios = [float(line.split()[-1].rstrip("x")) for line in text.splitlines() if line.endswith("x")]
    assert len(ratios) == 2 and all(r > 0 for r in ratios)


def test_bench_kernels_quick_prints_every_comparison(tmp_path):
    text = run(["kernels"], QUICK)
    for needle in ("first call of each kernel", "int8 naive", "f32 BLAS", "fused quantize", "half_away",
                   "integer-only", "fused layer, parallel", "branch-free", "quantize in", "epilogue", "fused GOP/s",
                   "serial ms"):
        assert needle in text, needle
    row = next(line.split() for line in text.splitlines() if line.strip().startswith("450 ") and "x" in line)
    assert float(row[1]) > 0 and float(row[2]) > 0 and row[3].endswith("x")     # float ms, integer ms, speed-up
    rows = [line.split() for line in text.splitlines()
            if line.strip().startswith(("128", "256")) and len(line.split()) >= 10]     # the GEMM table
    assert len(rows) == 2 and all(float(r[2]) > 0 for r in rows)


def test_bench_neurons_times_both_mlps_side_by_side():
    from minicompress.bench import run
    from minicompress.experiments import QUICK
    text = run(["neurons"], QUICK)
    assert "64-256-256-10" in text and "64-128-128-10" in text
    assert len([line for line in text.splitlines() if line.rstrip().endswith("x")]) == 2


def test_avx2_features_turn_off_everything_newer_than_avx2():
    """What ``bench kernels`` gives its AVX2-only child: the host's list, AVX-512, AVX10, AVX-VNNI-like and
    AMX features off, everything else as it was."""
    from minicompress.bench.kernels import avx2_features
    host = "+64bit,+avx,+avx2,+avx512f,+avx512bw,-avx512fp16,+avxvnni,+avxifma,+amx-tile,+evex512,+fma,-sse4a"
    assert avx2_features(host) == ("+64bit,+avx,+avx2,-avx512f,-avx512bw,-avx512fp16,-avxvnni,-avxifma,-amx-tile,"
                                   "-evex512,+fma,-sse4a")
