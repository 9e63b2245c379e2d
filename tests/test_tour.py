"""The tour's rows and its paired comparisons, on rows small enough to check by hand."""

import numpy as np
import pytest

from minicompress.tour import Row, comparisons, format_comparisons, format_table


def _row(name, correct, compare=()):
    c = np.atleast_2d(correct)
    return Row(name, float(c.mean()), 10, 40, correct=c.tolist(), compare=list(compare))


def test_a_row_prints_its_interval():
    one = _row("one model", [1] * 440 + [0] * 10)
    assert one.accuracy_text() == "97.8% [96.0, 98.8]"              # Wilson, as in stats
    assert "97.8% [96.0, 98.8]" in format_table([one], 40)


def test_comparisons_use_mcnemar_for_single_models_and_name_the_verdict():
    base = np.r_[np.ones(90), np.zeros(10)]
    same = _row("same", base, compare=("base",))
    better = base.copy()
    better[90:] = 1                                                   # 10 more right, none lost: p = 2/2¹⁰
    rows = [_row("base", base), same, _row("better", better, compare=("base",))]
    (r1, _, d1, m1), (r2, _, d2, m2) = comparisons(rows)
    assert d1.diff == 0 and m1.p_value == 1.0
    assert d2.diff == pytest.approx(0.1) and m2.p_value == pytest.approx(2 / 2 ** 10)
    text = format_comparisons(rows)
    assert "same images right" in text and "better" in text


def test_a_small_single_model_gap_is_called_noise():
    base = np.r_[np.ones(90), np.zeros(10)]
    other = base.copy()
    other[:2] = 0                                                     # 2 lost, 0 gained: p = 0.5
    text = format_comparisons([_row("base", base), _row("other", other, compare=("base",))])
    assert "within noise" in text and "p = 0.5" in text


def test_rows_of_seeds_are_compared_by_the_bootstrap():
    base = np.r_[np.ones(90), np.zeros(10)]
    seeds = np.stack([base, base, base])
    seeds[:, 90:] = 1
    (_, _, d, m), = comparisons([_row("base", base), _row("seeds", seeds, compare=("base",))])
    assert m is None and d.low > 0


def test_a_comparison_with_a_missing_row_is_an_error():
    with pytest.raises(KeyError, match="'ghost', which no stage produced"):
        comparisons([_row("a", [1, 0], compare=("ghost",))])
