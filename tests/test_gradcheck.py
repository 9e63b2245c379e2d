"""gradcheck must catch a wrong backward, and say where."""

import numpy as np

from minicompress import Tensor, gradcheck


def wrong_square(t):
    """x² whose backward forgets the factor 2."""
    out = Tensor.from_op(t.data ** 2, (t,), "bad_square")
    if out.requires_grad:
        out._backward = lambda g: t._accumulate(g * t.data)
    return out


def test_gradcheck_fails_on_a_wrong_backward_and_reports_the_element():
    report = gradcheck(lambda t: wrong_square(t).sum(), np.array([1.0, -3.0, 2.0]))
    assert not report.ok
    r = report[0]
    assert r.where == (1,)                          # largest error at x = −3 (|2x − x| = 3)
    assert np.isclose(r.analytic, -3.0) and np.isclose(r.numerical, -6.0, atol=1e-5)
    assert "BAD" in str(report)


def test_gradcheck_passes_a_right_backward_and_reports_per_input():
    report = gradcheck(lambda a, b: (a * b).sum(), [1.0, 2.0], [3.0, -1.0])
    assert report.ok and len(report) == 2
    assert all(r.max_abs_diff < 1e-8 for r in report)


def test_gradcheck_sees_an_input_whose_gradient_is_missing():
    # b is never used: its gradient is zero and the check must agree (and not crash).
    report = gradcheck(lambda a, b: a * 2.0, [1.0, 2.0], [5.0])
    assert report.ok and report[1].max_abs_diff == 0.0
