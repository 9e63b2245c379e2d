"""The autograder can fail: stubs fail, the reference passes, typical mistakes are named.

A teacher grades a class's folder for one exercise with
``MINICOMPRESS_STUDENT_DIR=path python -m pytest -m exercise_kd_loss tests/test_exercises.py``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from minicompress.exercises.catalog import EXERCISES
from minicompress.exercises.generate import reference_source, student_source
from minicompress.exercises.grade import check

PARAMS = [pytest.param(ex, id=ex.slug, marks=getattr(pytest.mark, f"exercise_{ex.slug}")) for ex in EXERCISES]


@pytest.mark.parametrize("ex", PARAMS)
def test_untouched_stub_fails_and_reference_passes(ex, tmp_path):
    stub = tmp_path / ex.filename
    stub.write_text(student_source(ex))
    ok, text = check(ex.slug, stub)
    assert not ok and "not written yet" in text and "Traceback" not in text
    ref = tmp_path / f"ref_{ex.filename}"
    ref.write_text(reference_source(ex))
    ok, text = check(ex.slug, ref)
    assert ok, text


@pytest.mark.parametrize("ex", PARAMS)
def test_a_students_folder(ex):
    folder = os.environ.get("MINICOMPRESS_STUDENT_DIR")
    if not folder:
        pytest.skip("set MINICOMPRESS_STUDENT_DIR to grade a student's folder")
    ok, text = check(ex.slug, Path(folder) / ex.filename)
    assert ok, text


def _solve(ex, tmp_path, old, new):
    """The reference solution with one line changed: a typical wrong answer."""
    src = reference_source(ex)
    assert old in src, f"{old!r} not in the reference of {ex.slug}"
    path = tmp_path / ex.filename
    path.write_text(src.replace(old, new))
    return check(ex.slug, path)


def by(slug):
    return next(ex for ex in EXERCISES if ex.slug == slug)


def test_missing_T_squared_is_named(tmp_path):
    ok, text = _solve(by("kd_loss"), tmp_path, "(alpha * T * T)", "(alpha)")
    assert not ok and "likely mistake: T² missing" in text


def test_reversed_kl_is_named(tmp_path):
    ok, text = _solve(by("kd_loss"), tmp_path, "kl_divergence(zs, teacher_logits, T=T)",
                      "kl_divergence(Tensor(np.asarray(teacher_logits, dtype=float)), zs.data, T=T)")
    assert not ok and "likely mistake: KL direction reversed" in text


def test_half_even_rounding_is_named(tmp_path):
    ok, text = _solve(by("rounding"), tmp_path, "    t = np.trunc(x)\n    return t + np.sign(x) * (np.abs(x - t) >= 0.5)",
                      "    return np.rint(x)")
    assert not ok and "likely mistake: half-even rounding" in text and "−2.5 to −3" in text


@pytest.mark.filterwarnings("ignore:overflow encountered")   # the simulated student's int8 overflows, on purpose
def test_int8_accumulation_that_wraps_is_named(tmp_path):
    ok, text = _solve(by("gemm_int8"), tmp_path, "acc = np.int32(acc + np.int32(A[i, k]) * np.int32(B[k, j]))",
                      "acc = np.int8(np.int8(acc) + np.int8(A[i, k]) * np.int8(B[k, j]))")
    assert not ok and "likely mistake: int8 accumulation that wraps" in text


def test_teachers_path_end_to_end(tmp_path):
    """exercises new → one exercise solved correctly passes `check`; one left wrong says why."""
    run = lambda *a: subprocess.run([sys.executable, "-m", "minicompress", *a], capture_output=True, text=True)
    out = run("exercises", "new", str(tmp_path))
    assert out.returncode == 0 and len(list(tmp_path.glob("*.py"))) == len(EXERCISES)
    assert len(list(tmp_path.glob("*.md"))) == len(EXERCISES)
    relu = tmp_path / by("relu_backward").filename
    relu.write_text(relu.read_text().replace(
        'raise NotImplementedError("Exercise 3', 'return grad * (a > 0)\n    raise NotImplementedError("Exercise 3'))
    good = run("check", "relu_backward", str(relu))
    assert good.returncode == 0 and "0 failed" in good.stdout
    mul = tmp_path / by("mul_backward").filename
    mul.write_text(mul.read_text().replace(
        'raise NotImplementedError("Exercise 1', 'return grad * a, grad * b\n    raise NotImplementedError("Exercise 1'))
    bad = run("check", "mul_backward", str(mul))
    assert bad.returncode == 1 and "likely mistake: swapped factors" in bad.stdout and "received:" in bad.stdout
    listing = run("exercises", "list").stdout.splitlines()
    assert len(listing) == len(EXERCISES) and any("kd_loss" in line for line in listing)


def test_kd_gradient_without_its_T_is_named(tmp_path):
    ok, text = _solve(by("kd_gradient"), tmp_path, "return T * (soft_labels(", "return 1 * (soft_labels(")
    assert not ok and "likely mistake: T factor missing" in text
