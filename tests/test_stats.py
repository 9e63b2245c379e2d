"""stats: intervals and paired tests against cases small enough to work out by hand."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minicompress import stats


def test_normal_and_t_quantiles_match_closed_forms():
    # Φ⁻¹(0.975) = 1.959964 (tables); t with 1 df is Cauchy: tan(π(p − ½)); with 2 df,
    # F(t) = ½ + t / (2√(2 + t²)), so F(t) = 0.975 gives t² = 0.9025·2 / 0.0975.
    assert stats.normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert stats.t_quantile(0.975, 1) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-9)
    assert stats.t_quantile(0.975, 2) == pytest.approx(math.sqrt(0.9025 * 2 / 0.0975), rel=1e-9)
    assert stats.t_quantile(0.5, 7) == pytest.approx(0.0, abs=1e-6)
    assert stats.t_quantile(0.975, 10_000) == pytest.approx(stats.normal_quantile(0.975), abs=1e-3)


def test_betainc_against_closed_forms():
    # I_x(1, 1) = x;  I_x(a, 1) = x^a;  I_x(1, b) = 1 − (1 − x)^b
    for x in (0.1, 0.5, 0.93):
        assert stats.betainc(1, 1, x) == pytest.approx(x, rel=1e-12)
        assert stats.betainc(3.5, 1, x) == pytest.approx(x ** 3.5, rel=1e-10)
        assert stats.betainc(1, 2.5, x) == pytest.approx(1 - (1 - x) ** 2.5, rel=1e-10)


def test_wilson_by_hand():
    z2 = stats.normal_quantile(0.975) ** 2
    # k = 0: the centre and the half width are both (z²/2n)/(1 + z²/n), so the top is z²/(n + z²)
    assert stats.wilson_interval(0, 10) == (0.0, pytest.approx(z2 / (10 + z2)))
    assert stats.wilson_interval(10, 10) == (pytest.approx(10 / (10 + z2)), 1.0)
    lo, hi = stats.wilson_interval(440, 450)
    assert (round(100 * lo, 1), round(100 * hi, 1)) == (96.0, 98.8)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2000), st.data())
def test_wilson_contains_the_estimate_and_stays_in_0_1(n, data):
    k = data.draw(st.integers(0, n))
    lo, hi = stats.wilson_interval(k, n)
    assert 0 <= lo <= k / n <= hi <= 1


def test_wilson_covers_about_95_percent():
    # Coverage by the exact binomial: Σ_k P(k) [p ∈ interval(k)] for n = 50, p = 0.9.
    n, p = 50, 0.9
    coverage = sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k)
                   for k in range(n + 1) if stats.wilson_interval(k, n)[0] <= p <= stats.wilson_interval(k, n)[1])
    assert 0.92 < coverage < 0.98


def test_wilson_refuses_bad_counts():
    with pytest.raises(ValueError, match="0 <= k <= n"):
        stats.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="confidence"):
        stats.wilson_interval(1, 10, confidence=95)


def test_seed_interval_by_hand():
    s = stats.seed_interval([0.95, 0.96, 0.97])
    half = math.sqrt(0.9025 * 2 / 0.0975) * 0.01 / math.sqrt(3)        # t(0.975, 2) · s/√n
    assert s.mean == pytest.approx(0.96) and s.std == pytest.approx(0.01)
    assert (s.low, s.high) == (pytest.approx(0.96 - half), pytest.approx(0.96 + half))
    one = stats.seed_interval([0.9])
    assert one.mean == 0.9 and math.isnan(one.low)
    with pytest.raises(ValueError, match="finite"):
        stats.seed_interval([0.9, float("nan")])


def test_mcnemar_exact_by_hand():
    # b = 3 images only A gets, c = 1 only B gets: p = 2 · (C(4,0) + C(4,1)) / 2⁴ = 10/16
    r = stats.mcnemar([1, 1, 1, 0, 1, 0], [0, 0, 0, 1, 1, 0])
    assert (r.only_a, r.only_b, r.p_value) == (3, 1, 0.625)
    # b = 6, c = 0: p = 2 / 2⁶
    assert stats.mcnemar([1] * 6, [0] * 6).p_value == pytest.approx(2 / 64)
    # identical models: no disagreement, no evidence
    assert stats.mcnemar([1, 0, 1], [1, 0, 1]).p_value == 1.0
    # balanced disagreement: the two-sided p is capped at 1
    assert stats.mcnemar([1, 0], [0, 1]).p_value == 1.0


def test_mcnemar_refuses_mismatched_or_fractional_scores():
    with pytest.raises(ValueError, match="same images"):
        stats.mcnemar([1, 0], [1, 0, 1])
    with pytest.raises(ValueError, match="paired_bootstrap"):
        stats.mcnemar([0.5, 1], [1, 1])
    with pytest.raises(ValueError, match="paired_bootstrap"):
        stats.mcnemar([[1, 0], [1, 1]], [[1, 1], [0, 1]])


def test_paired_bootstrap_sees_a_clear_gain_and_calls_a_tie_noise():
    rng = np.random.default_rng(0)
    base = (rng.random(450) < 0.9).astype(float)
    better = base.copy()
    better[np.flatnonzero(base == 0)[:20]] = 1                        # 20 more images right, none lost
    gain = stats.paired_bootstrap(better, base, rng=1)
    assert gain.diff == pytest.approx(20 / 450) and gain.low > 0 and not gain.within_noise
    swapped = base.copy()
    wrong, right = np.flatnonzero(base == 0)[:3], np.flatnonzero(base == 1)[:3]
    swapped[wrong], swapped[right] = 1, 0                              # 3 gained, 3 lost: a tie
    tie = stats.paired_bootstrap(swapped, base, rng=1)
    assert tie.diff == 0 and tie.within_noise
    assert stats.paired_bootstrap(better, base, rng=1) == gain         # seeded: repeatable


def test_paired_bootstrap_is_paired():
    # Two models that share most errors: an unpaired interval would be far wider than the paired one.
    a = np.r_[np.ones(400), np.zeros(50)]
    b = a.copy()
    b[:5] = 0                                                          # b loses 5 images a gets
    r = stats.paired_bootstrap(a, b, rng=0)
    assert r.low > 0                                                   # 5/450 is detected when paired
    assert r.high - r.low < 0.03


def test_seed_spread_widens_the_paired_interval():
    # Row A: 3 seeds that disagree a lot; row B: one model. Same mean gap as a single A model would give,
    # but redrawing A's seeds must widen the interval.
    rng = np.random.default_rng(0)
    base = (rng.random(450) < 0.9).astype(float)
    seeds = np.stack([base, base, base])
    noisy = seeds.copy()
    noisy[0, np.flatnonzero(base == 0)[:30]] = 1                      # one lucky seed
    noisy[2, np.flatnonzero(base == 1)[:30]] = 0                      # one unlucky seed
    calm = stats.paired_bootstrap(seeds, base, rng=0)
    spread = stats.paired_bootstrap(noisy, base, rng=0)
    assert calm.diff == spread.diff == 0
    assert spread.high - spread.low > calm.high - calm.low + 0.01


def test_format_accuracy_is_readable_by_people_and_scripts():
    import re
    one = stats.format_accuracy([1] * 440 + [0] * 10)
    assert one == "97.8% [96.0, 98.8]"
    rows = np.ones((3, 100))
    rows[0, :5], rows[1, :4], rows[2, :3] = 0, 0, 0                   # 95, 96, 97%
    seeds = stats.format_accuracy(rows)
    assert re.fullmatch(r"96\.0% ± 1\.0 \[\d+\.\d, \d+\.\d\]", seeds)
    top = np.ones((2, 100))
    top[0, :3] = 0                                                    # 97% and 100%: t-interval clipped at 100
    assert stats.format_accuracy(top).endswith(", 100.0]")
