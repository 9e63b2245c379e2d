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


def test_timing_recipes_rebuild_each_kind_of_model_and_are_never_cached(tmp_path, monkeypatch):
    """The infer ms column comes from a twin of the same arithmetic, timed on this run."""
    import json

    from minicompress.integer import IntegerMLP
    from minicompress.nn import MLP
    from minicompress.quant import quantize_model, round_model
    from minicompress.quant.qat import prepare_qat
    from minicompress.tour import tour_rows
    from minicompress.tour.timing import measure, recipe_of, valid_recipe
    X = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    base = MLP((8, 6, 3), rng=1)
    models = {"float": base, "float16": round_model(base, "float16"),
              "fake": quantize_model(base, 4, 8, mode="dynamic"), "integer": IntegerMLP.from_float(base, X, 4),
              "qat": prepare_qat(base, 2, 8, calib=X), "lsq": prepare_qat(base, 2, 8, method="lsq", calib=X)}
    for kind, m in models.items():
        r = recipe_of(m)
        assert r["kind"] == kind and r["sizes"] == [8, 6, 3] and valid_recipe(r), r
        assert measure(r, X, repeats=2) > 0
    assert recipe_of(models["fake"])["mode"] == "dynamic" and recipe_of(models["integer"])["bits"] == 4
    from minicompress.experiments.budget import QUICK
    monkeypatch.setenv("MINICOMPRESS_CACHE", str(tmp_path))
    rows, _, cached = tour_rows(QUICK)
    assert not cached and all(r.infer_ms > 0 for r in rows)
    stored = json.loads(next(tmp_path.glob("*.json")).read_text())["value"]["rows"]
    assert all(r["infer_ms"] != r["infer_ms"] for r in stored)            # NaN: no time is ever stored
    again, _, cached = tour_rows(QUICK)
    assert cached and all(r.infer_ms > 0 for r in again)                   # measured again on the cached run
