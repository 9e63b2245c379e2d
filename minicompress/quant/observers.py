"""Observers: watch activations during calibration and choose their range (static quantization).

Static quantization fixes every activation's step before deployment from a
few calibration batches; dynamic quantization instead measures each batch's
range at run time (see ``model.ActivationQuantizer``). The observers differ
in which range they report:

* ``MinMaxObserver``: the smallest and largest value ever seen.
* ``MovingAverageMinMaxObserver``: lo ← lo + c·(batch_min − lo), the same for hi
  (c = 0.01 as in PyTorch), so one outlier batch moves the range only a little.
* ``PercentileObserver``: the p-th and (100 − p)-th percentiles, clipping rare outliers.
* ``MSEObserver``: the clipping range c·[lo, hi], c ∈ (0, 1], that minimises the
  quantization MSE of the observed values, found by a grid search over c.
"""

from __future__ import annotations

import numpy as np

from ..nn import as_generator
from .qparams import QParams, qparams_from_range
from .uniform import check_finite

OBSERVERS = {}


def _register(name):
    def wrap(cls):
        OBSERVERS[name] = cls
        cls.name = name
        return cls
    return wrap


class Observer:
    """Base: ``observe(x)`` any number of times, then ``qparams(bits, scheme)``."""

    def __init__(self):
        self.batches = 0

    def observe(self, x) -> "Observer":
        x = check_finite(x, "calibration batch").astype(np.float64, copy=False)
        if x.size == 0:
            raise ValueError("an observer got an empty batch: calibration needs values to measure")
        self.batches += 1
        self._observe(x)
        return self

    def range(self) -> tuple:
        if self.batches == 0:
            raise ValueError(f"{type(self).__name__} has observed no data: run calibration batches "
                             "through it (calib=...) before asking for quantization parameters")
        return self._range()

    def qparams(self, bits: int, scheme: str = "affine") -> QParams:
        lo, hi = self.range()
        return qparams_from_range(lo, hi, bits, scheme)


@_register("minmax")
class MinMaxObserver(Observer):
    def __init__(self):
        super().__init__()
        self.lo, self.hi = np.inf, -np.inf

    def _observe(self, x):
        self.lo, self.hi = min(self.lo, float(x.min())), max(self.hi, float(x.max()))

    def _range(self):
        return self.lo, self.hi


@_register("moving_average")
class MovingAverageMinMaxObserver(MinMaxObserver):
    def __init__(self, averaging_constant: float = 0.01):
        super().__init__()
        if not 0 < averaging_constant <= 1:
            raise ValueError(f"averaging_constant must lie in (0, 1], got {averaging_constant}")
        self.c = averaging_constant

    def _observe(self, x):
        lo, hi = float(x.min()), float(x.max())
        if self.batches == 1:                                   # the first batch sets the range
            self.lo, self.hi = lo, hi
        else:
            self.lo += self.c * (lo - self.lo)
            self.hi += self.c * (hi - self.hi)


class _SampleObserver(Observer):
    """Keeps the observed values (a seeded subsample beyond ``max_samples``)."""

    def __init__(self, max_samples: int = 200_000, rng=0):
        super().__init__()
        self.samples, self.max_samples, self.rng = [], max_samples, as_generator(rng)

    def _observe(self, x):
        self.samples.append(x.ravel())
        total = sum(len(s) for s in self.samples)
        if total > self.max_samples:
            allv = np.concatenate(self.samples)
            self.samples = [self.rng.choice(allv, self.max_samples, replace=False)]

    def values(self) -> np.ndarray:
        return np.concatenate(self.samples)


@_register("percentile")
class PercentileObserver(_SampleObserver):
    def __init__(self, percentile: float = 99.99, **kw):
        super().__init__(**kw)
        if not 50 < percentile <= 100:
            raise ValueError(f"percentile must lie in (50, 100], got {percentile}")
        self.percentile = percentile

    def _range(self):
        v = self.values()
        return float(np.percentile(v, 100 - self.percentile)), float(np.percentile(v, self.percentile))


@_register("mse")
class MSEObserver(_SampleObserver):
    """Grid search of the clipping factor c; remembers the MSE curve for plotting."""

    def __init__(self, grid: int = 100, **kw):
        super().__init__(**kw)
        self.grid = grid
        self.curve = None   # (factors, mse) of the last search

    def qparams(self, bits: int, scheme: str = "affine") -> QParams:
        v = self.values()
        lo, hi = float(v.min()), float(v.max())
        factors = np.linspace(1.0 / self.grid, 1.0, self.grid)
        mses = []
        for c in factors:
            qp = qparams_from_range(c * lo, c * hi, bits, scheme)
            mses.append(float(np.mean((qp.fake_quantize(v) - v) ** 2)))
        self.curve = (factors, np.array(mses))
        best = factors[int(np.argmin(mses))]
        return qparams_from_range(best * lo, best * hi, bits, scheme)

    def _range(self):
        v = self.values()
        return float(v.min()), float(v.max())


def make_observer(name: str, **kw) -> Observer:
    if name not in OBSERVERS:
        raise ValueError(f"unknown observer {name!r}; choose one of {sorted(OBSERVERS)}")
    return OBSERVERS[name](**kw)
