"""Grade a student's exercise file: every case, what was received, what was expected, and why.

The student's code runs in a child process (``sandbox``); this module computes
the expected values and the verdicts in the grader's own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalog import Exercise, by_slug
from .sandbox import Limits, run_student


@dataclass
class Result:
    label: str
    ok: bool
    received: str
    expected: str
    source: str
    hint: str = ""
    mistake: str = ""
    printed: str = ""                # what the student's file printed (shown once, cut at 4,000 characters)


def _show(x) -> str:
    if isinstance(x, tuple):
        return "(" + ", ".join(_show(v) for v in x) + ")"
    arr = np.asarray(x)
    text = np.array2string(arr, precision=5, threshold=12, separator=", ") if arr.ndim else f"{arr.item():.6g}" \
        if arr.dtype.kind == "f" else str(arr.item())
    return text.replace("\n", " ")


def _same(a, b, exact: bool) -> tuple:
    """(equal?, why not) for outputs that may be tuples of arrays."""
    if isinstance(b, tuple):
        if not isinstance(a, tuple) or len(a) != len(b):
            return False, f"expected a tuple of {len(b)} arrays"
        for i, (x, y) in enumerate(zip(a, b)):
            ok, why = _same(x, y, exact)
            if not ok:
                return False, f"item {i}: {why}"
        return True, ""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False, f"shape {a.shape}, expected {b.shape}"
    if exact:
        return bool(np.array_equal(a.astype(np.int64), b.astype(np.int64))), "values differ"
    if not np.all(np.isfinite(a.astype(float))):
        return False, "NaN or inf in the result"
    return bool(np.allclose(a.astype(float), b.astype(float), rtol=1e-7, atol=1e-9)), "values differ"


def grade(ex: Exercise, path, limits: Limits | None = None) -> list:
    """Run every case of ``ex`` on the student's file ``path``, in a child process (``sandbox``).

    The expected values and every verdict are computed here, in the grader's
    own process; the child only returns what the student's function returned.
    """
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"no file {path}: write the exercises with `python -m minicompress exercises new DIR`")
    cases = ex.cases()
    run = run_student(path, ex.slug, [c.args for c in cases], limits)
    results = []
    for i, case in enumerate(cases):
        expected = ex.reference(*case.args)
        if run.called and not run.failure:           # the file handed back minicompress's own answer
            results.append(Result(case.label, False, f"a call to {', '.join(run.called)}", _show(expected),
                                  case.source, mistake="calls the library's answer",
                                  hint="the exercise is to write this yourself; minicompress's own function "
                                       "may not be called from your file" if i == 0 else "(see the first case)"))
            continue
        if run.failure:
            results.append(Result(case.label, False, "nothing", _show(expected), case.source,
                                  hint=run.failure if i == 0 else "(see the first case)"))
            continue
        outcome = run.outcomes[i]
        if outcome[0] == "todo":
            results.append(Result(case.label, False, "NotImplementedError", _show(expected), case.source,
                                  hint=f"not written yet: {outcome[1]}"))
            continue
        if outcome[0] == "error":          # the student's error, in words, with the line it came from
            _, message, line, text = outcome
            where = f"raised at line {line} of {path.name}" + (f": {text}" if text else "") if line else ""
            results.append(Result(case.label, False, message, _show(expected), case.source, hint=where))
            continue
        received = outcome[1]
        ok, why = _same(received, expected, ex.exact)
        result = Result(case.label, ok, _show(received), _show(expected), case.source, hint="" if ok else why)
        if not ok:
            for m in ex.mistakes:
                try:
                    wrong = m.wrong(*case.args)
                except Exception:
                    continue
                if _same(received, wrong, ex.exact)[0]:
                    result.mistake, result.hint = m.name, m.hint
                    break
        results.append(result)
    if run.printed.strip():
        results[-1].printed = run.printed
    return results


def report(ex: Exercise, results: list) -> str:
    lines = [f"Exercise {ex.number}: {ex.title}"]
    for r in results:
        lines.append(f"  [{'pass' if r.ok else 'FAIL'}] {r.label}")
        if not r.ok:
            lines.append(f"      received: {r.received}")
            lines.append(f"      expected: {r.expected}")
            lines.append(f"      from:     {r.source}")
            if r.mistake:
                lines.append(f"      likely mistake: {r.mistake}")
            if r.hint:
                lines.append(f"      hint:     {r.hint}")
    printed = "".join(r.printed for r in results)
    if printed.strip():
        lines.append("  the file printed:")
        lines.extend(f"    | {line}" for line in printed.rstrip().splitlines()[:40])
    passed = sum(r.ok for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines)


def check(name: str, path=None, limits: Limits | None = None) -> tuple:
    """(all passed?, report text) for exercise ``name`` in the student's file ``path``.

    The file runs in a child process with a time, memory and output limit
    (``sandbox.Limits``); see ``sandbox`` for what that protects against.
    """
    ex = by_slug(name)
    results = grade(ex, path or ex.filename, limits)
    return all(r.ok for r in results), report(ex, results)
