"""How sure is a number? Intervals for accuracies and paired tests between two models.

The test set is 450 images, so one image is 0.22 points and an accuracy near
98% carries about ±1.3 points of sampling noise. Every accuracy minicompress
reports goes through this module:

    wilson_interval     one model: k correct of n images → a 95% interval
    seed_interval       several random seeds: mean ± std and a t-interval over the seeds
    mcnemar             two single models on the same images: exact test on the images they disagree on
    paired_bootstrap    two models, or two rows of several seeds, on the same images: interval of the difference

Only the standard library and NumPy: the normal and Student-t quantiles are
found by bisection on their distribution functions (``math.erf`` and the
regularised incomplete beta function), so nothing here needs SciPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .nn import as_generator


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), e.g. 0.95; got {confidence}")


def _bisect(f, target: float, lo: float, hi: float, iters: int = 200) -> float:
    """x in [lo, hi] with f(x) = target, for increasing f."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def normal_quantile(p: float) -> float:
    """z with Φ(z) = p, where Φ(z) = ½ (1 + erf(z / √2)).

    >>> round(normal_quantile(0.975), 4)
    1.96
    """
    _check_confidence(p)
    return _bisect(lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2))), p, -40.0, 40.0)


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """I_x(a, b) = B(x; a, b) / B(a, b), the regularised incomplete beta function."""
    if not 0 <= x <= 1:
        raise ValueError(f"betainc needs x in [0, 1], got {x}")
    if x in (0.0, 1.0):
        return x
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):                       # the fraction converges fast here
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """F(t) of Student's t with ``df`` degrees of freedom: 1 − ½ I_{df/(df+t²)}(df/2, ½) for t ≥ 0."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be > 0, got {df}")
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """t with F(t) = p for Student's t with ``df`` degrees of freedom.

    >>> round(t_quantile(0.975, 4), 3)
    2.776
    """
    _check_confidence(p)
    return _bisect(lambda t: t_cdf(t, df), p, -1e6, 1e6, iters=300)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple:
    """Wilson's score interval for a proportion p̂ = k/n (Wilson 1927):

        centre ± half = (p̂ + z²/2n ± z √(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),   z = Φ⁻¹(1 − (1−c)/2)

    Unlike the textbook p̂ ± z√(p̂(1−p̂)/n) it never leaves [0, 1] and stays
    honest near 100%, where the accuracies of this project live.

    >>> lo, hi = wilson_interval(440, 450)
    >>> round(100 * lo, 1), round(100 * hi, 1)
    (96.0, 98.8)
    """
    _check_confidence(confidence)
    if n < 1 or not 0 <= k <= n or int(k) != k or int(n) != n:
        raise ValueError(f"wilson_interval needs whole counts 0 <= k <= n with n >= 1, got k={k}, n={n}")
    z = normal_quantile(1 - (1 - confidence) / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)         # exact ends: no 1e-17 left over
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class SeedSummary:
    """Accuracies of several random seeds: mean, sample std, and the t-interval of the mean."""

    mean: float
    std: float
    low: float
    high: float
    n: int


def seed_interval(values, confidence: float = 0.95) -> SeedSummary:
    """mean ± t_{(1+c)/2, n−1} · s/√n over seeds, with s the sample std (ddof = 1).

    The interval says where the mean over all seeds would lie; one seed's
    result spreads by about ``std`` around it. One value gives no interval.

    >>> s = seed_interval([0.95, 0.96, 0.97])
    >>> round(s.std, 4), round(s.high - s.mean, 4)          # t(0.975, 2) = 4.303
    (0.01, 0.0248)
    """
    _check_confidence(confidence)
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or len(v) < 1 or not np.all(np.isfinite(v)):
        raise ValueError(f"seed_interval needs a flat list of finite values, got {values!r}")
    if len(v) == 1:
        return SeedSummary(float(v[0]), float("nan"), float("nan"), float("nan"), 1)
    s = float(v.std(ddof=1))
    half = t_quantile(1 - (1 - confidence) / 2, len(v) - 1) * s / math.sqrt(len(v))
    return SeedSummary(float(v.mean()), s, float(v.mean() - half), float(v.mean() + half), len(v))


@dataclass(frozen=True)
class McNemar:
    """Two models on the same images: b = only A right, c = only B right, and the exact p-value."""

    only_a: int
    only_b: int
    p_value: float


def mcnemar(correct_a, correct_b) -> McNemar:
    """McNemar's exact test: under "A and B are equally accurate" each disagreement is a fair coin.

        p = min(1, 2 · Σ_{i ≤ min(b, c)} C(b+c, i) / 2^(b+c))

    where b counts images only A gets right and c those only B gets right.
    Images both get right (or both wrong) say nothing about the difference.

    >>> mcnemar([1, 1, 1, 0], [0, 0, 0, 1]).p_value          # b = 3, c = 1: 2·(1 + 4)/16
    0.625
    """
    a, b = _paired(correct_a, correct_b, "mcnemar")
    if len(a) != 1 or len(b) != 1 or not (np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all()):
        raise ValueError("mcnemar compares two single models, 0/1 per image; for rows of several seeds "
                         "use paired_bootstrap")
    a, b = a[0], b[0]
    only_a, only_b = int(np.sum((a == 1) & (b == 0))), int(np.sum((a == 0) & (b == 1)))
    n = only_a + only_b
    tail = sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2 ** n if n else 1.0
    return McNemar(only_a, only_b, min(1.0, 2 * tail))


@dataclass(frozen=True)
class PairedDifference:
    """mean(A) − mean(B) over the same images, and its bootstrap interval."""

    diff: float
    low: float
    high: float

    @property
    def within_noise(self) -> bool:
        return self.low <= 0 <= self.high


def paired_bootstrap(correct_a, correct_b, rng=0, resamples: int = 10_000,
                     confidence: float = 0.95) -> PairedDifference:
    """The percentile bootstrap of Δ = acc(A) − acc(B) on the same images (Efron & Tibshirani 1993).

    Each resample draws n images with replacement and keeps both models'
    results on each drawn image, so what the two share cancels: that is the
    pairing. With several random seeds per row (``correct`` of shape
    (seeds, images)), each resample also redraws each row's seeds with
    replacement, so the interval holds the seeds' spread as well as the
    images'. One model is a (images,) vector, or one row of seeds.
    """
    _check_confidence(confidence)
    A, B = _paired(correct_a, correct_b, "paired_bootstrap")
    if resamples < 100:
        raise ValueError(f"resamples must be >= 100 for a stable interval, got {resamples}")
    g = as_generator(rng)
    n = A.shape[1]
    diffs = np.empty(resamples)
    for start in range(0, resamples, 500):                    # 500 resamples at a time: bounded memory
        m = min(500, resamples - start)
        images = g.integers(0, n, size=(m, n))
        per_image = [M[g.integers(0, len(M), size=(m, len(M)))].mean(axis=1) if len(M) > 1
                     else np.broadcast_to(M[0], (m, n)) for M in (A, B)]        # (m, n): seeds redrawn
        diffs[start:start + m] = (np.take_along_axis(per_image[0], images, axis=1).mean(axis=1)
                                  - np.take_along_axis(per_image[1], images, axis=1).mean(axis=1))
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return PairedDifference(float(A.mean() - B.mean()), float(low), float(high))


def _paired(a, b, who: str) -> tuple:
    """Two results on the same images as (seeds, images) float arrays in [0, 1]."""
    a, b = np.atleast_2d(np.asarray(a, dtype=np.float64)), np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or a.size == 0 or b.size == 0:
        raise ValueError(f"{who} needs each model's result on the same images: (images,) or (seeds, images) "
                         f"arrays with as many images, got shapes {np.shape(a)} and {np.shape(b)}")
    if not (np.all((a >= 0) & (a <= 1)) and np.all((b >= 0) & (b <= 1))):
        raise ValueError(f"{who} needs per-image results in [0, 1] (1 = right), got values outside")
    return a, b


def accuracy_interval(correct) -> tuple:
    """(accuracy, low, high) of 0/1 results, (images,) for one model or (seeds, images) for several.

    One model: Wilson's interval. Several seeds: the mean over seeds and the
    t-interval of that mean, clipped to [0, 1].
    """
    c = np.atleast_2d(np.asarray(correct, dtype=np.float64))
    if c.ndim != 2 or c.shape[1] == 0:
        raise ValueError(f"accuracy_interval needs 0/1 results per image, (images,) or (seeds, images), got {c.shape}")
    if len(c) > 1:
        s = seed_interval(c.mean(axis=1))
        return s.mean, max(s.low, 0.0), min(s.high, 1.0)
    k = int(round(float(c[0].sum())))
    return (k / c.shape[1], *wilson_interval(k, c.shape[1]))


def format_accuracy(correct) -> str:
    """An accuracy with its 95% interval, in a form both people and scripts read.

    ``correct`` is 0/1 per image for one model, or (seeds, images) for several.
    One model: ``97.8% [96.0, 98.8]`` (Wilson). Several seeds:
    ``96.1% ± 0.4 [95.6, 96.6]``: mean ± std over seeds, then the t-interval
    of the mean, clipped to [0, 100] (an accuracy cannot leave it).
    """
    acc, low, high = accuracy_interval(correct)
    c = np.atleast_2d(np.asarray(correct, dtype=np.float64))
    spread = f" ± {100 * c.mean(axis=1).std(ddof=1):.1f}" if len(c) > 1 else ""
    return f"{100 * acc:.1f}%{spread} [{100 * low:.1f}, {100 * high:.1f}]"
