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


# --- the grader runs the student's file in a child process --------------------------------------------------

def _grade_source(tmp_path, source, slug="kd_loss", seconds=5.0):
    from minicompress.exercises.sandbox import Limits
    ex = by(slug)
    path = tmp_path / ex.filename
    path.write_text(source, encoding="utf-8")
    return check(slug, path, Limits(seconds=seconds))


def test_a_file_that_exits_early_fails_with_a_message(tmp_path):
    for exit_call in ("import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n", "exit()\n"):
        ok, text = _grade_source(tmp_path, exit_call)
        assert not ok and "0 passed" in text, text
        assert "exit" in text and "Traceback" not in text


def test_an_endless_loop_is_stopped_at_the_time_limit(tmp_path):
    import time
    start = time.perf_counter()
    ok, text = _grade_source(tmp_path, "def kd_loss(*a, **k):\n    while True:\n        pass\n", seconds=1.0)
    assert not ok and "did not finish within 1 s" in text
    assert time.perf_counter() - start < 10


def test_patching_the_reference_or_allclose_cannot_pass(tmp_path):
    source = "\n".join([
        "import numpy as np",
        "import minicompress.distill.kd_loss as K",
        "import minicompress.exercises.grade as G",
        "np.allclose = lambda *a, **k: True",
        "np.array_equal = lambda *a, **k: True",
        "K.kd_loss = lambda *a, **k: 0.0",
        "G._same = lambda *a, **k: (True, '')",
        "from minicompress import Tensor",
        "def kd_loss(zs, zt, y=None, *, T=4.0, alpha=0.9):",
        "    return Tensor(np.array(0.0))",
    ])
    ok, text = _grade_source(tmp_path, source)
    assert not ok and "0 passed" in text


def test_syntax_and_import_errors_name_the_students_line(tmp_path):
    ok, text = _grade_source(tmp_path, "import numpy as np\n\ndef kd_loss(:\n    pass\n")
    assert not ok and "line 3" in text and "SyntaxError" in text and "Traceback" not in text
    ok, text = _grade_source(tmp_path, "import numpy as np\nx = 1\nraise ValueError('oops')\n")
    assert not ok and "line 3" in text and "ValueError: oops" in text
    assert "grade.py" not in text and "sandbox.py" not in text


def test_megabytes_of_prints_are_cut_and_fail(tmp_path):
    ok, text = _grade_source(tmp_path, "print('x' * 5_000_000)\n")
    assert not ok and "printed more than" in text
    assert len(text) < 20_000


def test_an_unbounded_allocation_fails_without_hurting_the_grader(tmp_path):
    ok, text = _grade_source(tmp_path, "import numpy as np\ndef kd_loss(*a, **k):\n    return np.ones(400_000_000)\n")   # 3.2 GB: over the 1 GiB limit
    assert not ok and "MemoryError" in text and "line 3" in text


def test_prints_of_a_correct_file_are_shown_and_it_still_passes(tmp_path):
    ex = by("kd_loss")
    ok, text = _grade_source(tmp_path, reference_source(ex) + "\nprint('hello from the student')\n")
    assert ok and "hello from the student" in text


def test_the_pytest_route_fails_when_a_file_exits_early(tmp_path):
    ex = by("kd_loss")
    (tmp_path / ex.filename).write_text("import os\nos._exit(0)\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "exercise_kd_loss",
                          str(Path(__file__).parent / "test_exercises.py")],
                         capture_output=True, text=True, env={**os.environ, "MINICOMPRESS_STUDENT_DIR": str(tmp_path)},
                         timeout=300)
    assert out.returncode != 0 and "1 failed" in out.stdout, out.stdout[-2000:]


def test_the_time_limit_is_settable_and_checked():
    from minicompress.exercises.sandbox import Limits, default_limits
    with pytest.raises(ValueError, match="positive number of seconds"):
        Limits(seconds=0)
    os.environ["MINICOMPRESS_GRADE_TIMEOUT"] = "2.5"
    try:
        assert default_limits().seconds == 2.5
    finally:
        del os.environ["MINICOMPRESS_GRADE_TIMEOUT"]


# --- the how-to-round exercises name their typical mistakes -------------------------------------------------

@pytest.mark.parametrize("slug, old, new, mistake", [
    ("adaround_h", "return np.clip(s * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)", "return s", "plain sigmoid"),
    ("adaround_h", "return np.clip(s * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)", "return s * (ZETA - GAMMA) + GAMMA",
     "no clip to [0, 1]"),
    ("adaround_penalty", "np.sum(1.0 - np.abs(2.0 * h - 1.0) ** beta)", "np.sum(np.abs(2.0 * h - 1.0) ** beta)",
     "missing the 1 −"),
    ("gptq_column", "e = (Wb[:, j] - q * c) / u[j]", "e = (Wb[:, j] - q * c)", "error not divided by u[j]"),
    ("gptq_column", "Wb[:, j:] -= np.outer(e, u[j:])", "pass", "no error feedback"),
    ("equalization_scales", "np.where(ok, r1, 1.0) / np.where(ok, r2, 1.0)",
     "np.where(ok, r2, 1.0) / np.where(ok, r1, 1.0)", "ratio upside down"),
    ("hutchinson", "return float(values.mean())", "return float(values.sum())", "summed instead of averaged"),
    ("hutchinson", "values.std(ddof=1) / np.sqrt(len(values))", "values.std(ddof=1)",
     "spread instead of standard error"),
    ("thin_pair", "return W1[keep, :], b1[keep], W2[:, keep]", "return W1[keep, :], b1[keep], W2", "W₂ not thinned"),
])
def test_how_to_round_mistakes_are_named(tmp_path, slug, old, new, mistake):
    ok, text = _solve(by(slug), tmp_path, old, new)
    assert not ok and f"likely mistake: {mistake}" in text, text


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "minicompress", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_a_teachers_whole_path_from_the_command_line(tmp_path):
    """Generate a subset, export the key, grade a class of three, read the CSV."""
    import csv
    sub = cli("exercises", "new", str(tmp_path / "handout"), "--only", "kd_loss,4")
    assert sub.returncode == 0, sub.stderr
    assert sorted(p.name for p in (tmp_path / "handout").iterdir()) == [
        "04_rounding.py", "09_kd_loss.py", "kd_loss.md", "rounding.md"]
    md = (tmp_path / "handout" / "kd_loss.md").read_text(encoding="utf-8")
    for part in ("## Goal", "## What to write", "## Where it is taught", "tutorials/06_", "## A worked example",
                 "0.223144", "check 09_kd_loss.py"):
        assert part in md, part
    assert cli("exercises", "key", str(tmp_path / "key"), "--only", "kd_loss,rounding").returncode == 0
    assert cli("check", str(tmp_path / "key")).returncode == 0           # the key passes, file names say which
    cls = tmp_path / "class"
    for name in ("ana", "ben", "cy"):
        (cls / name).mkdir(parents=True)
    for f in (tmp_path / "key").iterdir():                               # ana: right
        (cls / "ana" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    key = (tmp_path / "key" / "09_kd_loss.py").read_text(encoding="utf-8")
    summed = key.replace("kl_divergence(zs, teacher_logits, T=T)",
                         "kl_divergence(zs, teacher_logits, T=T) * len(teacher_logits)")
    assert summed != key
    (cls / "ben" / "09_kd_loss.py").write_text(summed, encoding="utf-8")   # ben: the batch-sum mistake
    (cls / "cy" / "09_kd_loss.py").write_text(                           # cy: hands back the library's answer
        "from minicompress.distill import kd_loss as answer\n\n\n"
        "def kd_loss(zs, zt, labels=None, T=4.0, alpha=0.9):\n    return answer(zs, zt, labels, T=T, alpha=alpha)\n")
    out = cli("grade", str(cls), "--only", "rounding,kd_loss", "--csv", str(tmp_path / "roster.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(open(tmp_path / "roster.csv", encoding="utf-8")))
    assert rows[0] == ["student", "04_rounding", "09_kd_loss", "passed"]
    assert rows[1] == ["ana", "pass", "pass", "2/2"]
    assert rows[2] == ["ben", "missing", "fail: KL summed over the batch", "0/2"]
    assert rows[3] == ["cy", "missing", "fail: calls the library's answer", "0/2"]


def test_check_infers_the_exercise_from_the_file_name(tmp_path):
    ex = EXERCISES[8]
    path = tmp_path / ex.filename
    path.write_text(reference_source(ex))
    assert cli("check", str(path)).returncode == 0
    odd = tmp_path / "my_answer.py"
    odd.write_text(reference_source(ex))
    out = cli("check", str(odd))
    assert out.returncode != 0 and "NN_slug.py" in out.stderr and "Traceback" not in out.stderr
    assert cli("check", "kd_loss", str(odd)).returncode == 0              # naming the exercise still works
    wrong = tmp_path / "08_kd_loss.py"                                    # number and name disagree
    wrong.write_text("")
    assert "matches no exercise" in cli("check", str(wrong)).stderr


def test_a_library_call_hidden_behind_an_import_of_the_module_is_caught(tmp_path):
    path = tmp_path / "08_soft_labels.py"
    path.write_text("import importlib\n\nm = importlib.import_module('minicompress.distill.soft_labels')\n\n\n"
                    "def soft_labels(z, T=1.0):\n    return getattr(m, 'soft_' + 'labels')(z, T)\n")
    ok, text = check("soft_labels", path)
    assert not ok and "calls the library's answer" in text


def test_exercises_refuse_unknown_names():
    out = cli("exercises", "new", "x", "--only", "nope")
    assert out.returncode != 0 and "no exercise 'nope'" in out.stderr


def test_an_untouched_stub_is_not_written_on_the_roster(tmp_path):
    from minicompress.exercises.grade import grade
    from minicompress.exercises.roster import verdict
    ex = EXERCISES[8]
    stub = tmp_path / ex.filename
    stub.write_text(student_source(ex))
    assert verdict(grade(ex, stub)) == "not written"
    stub.write_text(reference_source(ex))
    assert verdict(grade(ex, stub)) == "pass"
