"""Write student copies: each reference function with its marked lines replaced by a stub."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from .catalog import EXERCISES, Exercise

BEGIN, END = "# --- exercise:", "# --- end exercise ---"


def student_source(ex: Exercise) -> str:
    """The student's file: imports, then each function with the exercise's regions stubbed."""
    parts = [f'"""Exercise {ex.number}: {ex.title}.\n\n{ex.summary}\n\nCheck it with:'
             f'  python -m minicompress check {ex.slug} {ex.filename}\n"""\n', ex.preamble.strip(), ""]
    for fn in ex.functions():
        src = textwrap.dedent(inspect.getsource(getattr(fn, "py_func", fn)))
        lines = [line for line in src.splitlines() if not line.lstrip().startswith("@")]
        out, skipping = [], False
        for line in lines:
            stripped = line.strip()
            if stripped.startswith(BEGIN) and stripped[len(BEGIN):].strip().rstrip("-").strip() in ex.regions:
                indent = line[: len(line) - len(line.lstrip())]
                out.append(f'{indent}raise NotImplementedError("Exercise {ex.number}: {ex.title} — '
                           f'write this part (see {ex.slug}.md)")')
                skipping = True
            elif skipping and stripped == END:
                skipping = False
            elif not skipping:
                out.append(line)
        text = "\n".join(out)
        for old, new in ex.rename.items():
            text = text.replace(old, new)
        parts += ["", text, ""]
    return "\n".join(parts).rstrip() + "\n"


def reference_source(ex: Exercise) -> str:
    """The same file with the solution in place (for teachers, and for the tests)."""
    parts = [f'"""Exercise {ex.number}: {ex.title} (reference solution)."""\n', ex.preamble.strip(), ""]
    for fn in ex.functions():
        text = textwrap.dedent(inspect.getsource(getattr(fn, "py_func", fn)))
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("@"))
        for old, new in ex.rename.items():
            text = text.replace(old, new)
        parts += ["", text, ""]
    return "\n".join(parts).rstrip() + "\n"


def write_exercises(folder, slugs=None) -> list:
    """Write ``NN_slug.py`` and ``NN_slug.md`` for each exercise into ``folder``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in EXERCISES:
        if slugs and ex.slug not in slugs:
            continue
        (folder / ex.filename).write_text(student_source(ex))
        (folder / f"{ex.slug}.md").write_text(f"# Exercise {ex.number}: {ex.title}\n\n{ex.instructions.strip()}\n\n"
                                             f"Check your work:\n\n    python -m minicompress check {ex.slug} "
                                             f"{ex.filename}\n")
        written.append(folder / ex.filename)
    return written
