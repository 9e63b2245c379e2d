"""Check a backward pass against central differences.

    ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h)        error O(h²)

``gradcheck`` perturbs each input element in float64, compares with the
gradient that ``backward`` computed, and reports for each input the largest
absolute and relative difference and where it occurred.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autograd import Tensor


@dataclass
class InputReport:
    """How well the analytic gradient of one input matches the numerical one."""

    index: int
    shape: tuple
    max_abs_diff: float
    max_rel_diff: float
    where: tuple          # element with the largest absolute difference
    analytic: float       # the two gradients at that element
    numerical: float
    ok: bool

    def __str__(self):
        mark = "ok " if self.ok else "BAD"
        return (f"{mark} input {self.index} {self.shape}: max |Δ| = {self.max_abs_diff:.2e}, "
                f"max rel = {self.max_rel_diff:.2e} at {self.where} "
                f"(backward gave {self.analytic:.6g}, central differences {self.numerical:.6g})")


class GradcheckReport(list):
    """A list of :class:`InputReport`; truthy when every input passed."""

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self)

    def __bool__(self):
        return self.ok

    def __str__(self):
        return "\n".join(str(r) for r in self)


def numerical_grad(fn, inputs, i, weights, h):
    """Central-difference gradient of Σ weights·fn(inputs) with respect to inputs[i]."""
    x = inputs[i]
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        up = np.sum(weights * _value(fn, inputs))
        x[idx] = saved - h
        down = np.sum(weights * _value(fn, inputs))
        x[idx] = saved
        grad[idx] = (up - down) / (2 * h)
    return grad


def _value(fn, arrays):
    return np.asarray(fn(*[Tensor(a) for a in arrays]).data, dtype=np.float64)


def gradcheck(fn, *inputs, h=1e-6, atol=1e-6, rtol=1e-4, rng=0, raise_on_failure=False):
    """Compare ``backward`` of ``fn(*inputs)`` with central differences, in float64.

    Parameters
    ----------
    fn : callable
        Takes Tensors, returns a Tensor of any shape. A non-scalar output is
        reduced to ``Σ_k c_k out_k`` with fixed random weights ``c`` (drawn
        from ``rng``), so every output element takes part without all of them
        getting the same weight.
    *inputs : array_like
        Points at which to check; copied and cast to float64.
    h : float
        Step of the central difference.
    atol, rtol : float
        An element passes when ``|analytic − numerical| ≤ atol + rtol·|numerical|``.
    raise_on_failure : bool
        Raise ``AssertionError`` with the report instead of returning it.

    Returns
    -------
    GradcheckReport
        One :class:`InputReport` per input; ``bool(report)`` is True when all pass.

    Examples
    --------
    >>> report = gradcheck(lambda a, b: a * b, [1.0, 2.0], [3.0, -1.0])
    >>> bool(report)
    True
    """
    arrays = [np.array(x, dtype=np.float64, copy=True) for x in inputs]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck needs fn to return a Tensor, got {type(out).__name__}")
    generator = np.random.default_rng(rng)
    weights = generator.uniform(0.5, 1.5, size=out.shape) if out.data.size > 1 else np.ones(out.shape)
    out.backward(weights)

    report = GradcheckReport()
    for i, t in enumerate(tensors):
        analytic = t.grad if t.grad is not None else np.zeros_like(arrays[i])
        numerical = numerical_grad(fn, arrays, i, weights, h)
        diff = np.abs(analytic - numerical)
        rel = diff / np.maximum(np.abs(numerical), 1e-12)
        where = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
        ok = bool(np.all(diff <= atol + rtol * np.abs(numerical)))
        report.append(InputReport(
            index=i, shape=arrays[i].shape,
            max_abs_diff=float(diff.max(initial=0.0)),
            max_rel_diff=float(rel.max(initial=0.0)),
            where=tuple(int(w) for w in where),
            analytic=float(analytic[where]) if diff.size else 0.0,
            numerical=float(numerical[where]) if diff.size else 0.0,
            ok=ok))
    if raise_on_failure and not report.ok:
        raise AssertionError("gradcheck failed: backward disagrees with central differences\n"
                             + str(report))
    return report
