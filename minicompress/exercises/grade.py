"""Grade a student's exercise file: every case, what was received, what was expected, and why."""

from __future__ import annotations

import importlib.util
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalog import Exercise, by_slug, caller


@dataclass
class Result:
    label: str
    ok: bool
    received: str
    expected: str
    source: str
    hint: str = ""
    mistake: str = ""


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


def load_student(path) -> object:
    path = Path(path)
    if not path.exists():
        raise SystemExit(f"no file {path}: write the exercises with `python -m minicompress exercises new DIR`")
    spec = importlib.util.spec_from_file_location(f"student_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade(ex: Exercise, module) -> list:
    """Run every case of ``ex`` on the student's ``module``."""
    call = caller(ex)
    results = []
    for case in ex.cases():
        expected = ex.reference(*case.args)
        try:
            received = call(module, case.args)
        except NotImplementedError as exc:
            results.append(Result(case.label, False, "NotImplementedError", _show(expected), case.source,
                                  hint=f"not written yet: {exc}"))
            continue
        except Exception as exc:  # the student's error, reported in words, with the line it came from
            where = traceback.extract_tb(exc.__traceback__)[-1]
            results.append(Result(case.label, False, f"{type(exc).__name__}: {exc}", _show(expected), case.source,
                                  hint=f"raised at line {where.lineno} of {Path(where.filename).name}"))
            continue
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
    passed = sum(r.ok for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines)


def check(name: str, path=None) -> tuple:
    """(all passed?, report text) for exercise ``name`` in the student's file ``path``."""
    ex = by_slug(name)
    module = load_student(path or ex.filename)
    results = grade(ex, module)
    return all(r.ok for r in results), report(ex, results)
