"""Grading at class size: a file named by its exercise, a folder of files, a class of folders into a CSV roster.

    exercise_of(path)   "09_kd_loss.py" → exercise 9, from the name ``exercises new`` gave the file
    check_folder(dir)   every NN_slug.py in one folder, graded: [(exercise, results)]
    grade_class(root)   one sub-folder per student: a row per student, a column per exercise
    write_roster(...)   those rows as CSV: pass, "not written", "fail: <named mistake>", "fail (k of n)", "missing"

Each file is graded as ``check`` grades it (in its own child process, with
the same limits), so a class of 30 students and 17 exercises is 510 child
processes, about half a second each.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .catalog import EXERCISES, Exercise
from .grade import grade

NAME = re.compile(r"^(\d{2})_([a-z0-9_]+)\.py$")


def exercise_of(path) -> Exercise:
    """The exercise a file belongs to, read from its name ``NN_slug.py`` (number and slug must agree)."""
    name = Path(path).name
    m = NAME.match(name)
    if not m:
        raise SystemExit(f"cannot tell which exercise {name!r} is: exercise files are named NN_slug.py, as "
                         "`exercises new` writes them (e.g. 09_kd_loss.py); or name the exercise: "
                         "`check kd_loss FILE`")
    for ex in EXERCISES:
        if ex.number == int(m.group(1)) and ex.slug == m.group(2):
            return ex
    raise SystemExit(f"{name!r} matches no exercise (number and name must agree, e.g. "
                     f"{EXERCISES[8].filename}); see `python -m minicompress exercises list`")


def exercise_files(folder) -> list:
    """The exercise files in ``folder``, in exercise order: [(exercise, path)]."""
    folder = Path(folder)
    found = []
    for ex in EXERCISES:
        path = folder / ex.filename
        if path.is_file():
            found.append((ex, path))
    return found


def check_folder(folder, limits=None) -> list:
    """Grade every exercise file in ``folder``: [(exercise, results)], in exercise order."""
    files = exercise_files(folder)
    if not files:
        raise SystemExit(f"no exercise files (NN_slug.py) in {folder}: write them with "
                         "`python -m minicompress exercises new DIR`")
    return [(ex, grade(ex, path, limits)) for ex, path in files]


def verdict(results) -> str:
    """One roster cell: pass, not written (the stub untouched), fail: <the named mistake>, or
    fail (k of n cases)."""
    passed = sum(r.ok for r in results)
    if passed == len(results):
        return "pass"
    if all(r.received == "NotImplementedError" for r in results):
        return "not written"
    named = [r.mistake for r in results if r.mistake]
    if named:
        return f"fail: {named[0]}"
    return f"fail ({passed} of {len(results)} cases)"


def grade_class(root, limits=None, only=None) -> tuple:
    """(header, rows): one row per student folder under ``root``; ``only`` limits the exercises (slugs)."""
    root = Path(root)
    if not root.is_dir():
        raise SystemExit(f"grade: {root} is not a folder; it should hold one folder per student")
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise SystemExit(f"grade: no student folders in {root}; put each student's files in a folder of their own")
    chosen = [ex for ex in EXERCISES if not only or ex.slug in only]
    header = ["student", *[f"{ex.number:02d}_{ex.slug}" for ex in chosen], "passed"]
    rows = []
    for student in students:
        cells = []
        for ex in chosen:
            path = student / ex.filename
            cells.append(verdict(grade(ex, path, limits)) if path.is_file() else "missing")
        rows.append([student.name, *cells, f"{sum(c == 'pass' for c in cells)}/{len(chosen)}"])
    return header, rows


def write_roster(path, header, rows) -> Path:
    """Write the roster as CSV (UTF-8, one row per student)."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path
