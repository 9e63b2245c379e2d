"""Write student copies: each reference function with its marked lines replaced by a stub.

Most exercises mark lines of a whole function. The backward rules of the
autograd ops sit inside the op's ``_backward`` closure, right under the
forward pass; for those, the marked lines are lifted out of the closure into
a small function of their own (``Exercise.closure`` names it, its arguments
and what it returns), so the student writes exactly the lines the op runs.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from .catalog import EXERCISES, Exercise

BEGIN, END = "# --- exercise:", "# --- end exercise ---"


def _stub(ex: Exercise, indent: str) -> str:
    return (f'{indent}raise NotImplementedError("Exercise {ex.number}: {ex.title} — '
            f'write this part (see {ex.slug}.md)")')


def _region(fn, slug: str) -> list:
    """The lines between ``# --- exercise: slug ---`` and its end marker in ``fn``'s source, dedented."""
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
    starts = [i for i, line in enumerate(lines)
              if line.strip().startswith(BEGIN) and line.strip()[len(BEGIN):].strip().rstrip("-").strip() == slug]
    if len(starts) != 1:
        raise LookupError(f"{fn.__qualname__} has {len(starts)} regions marked {slug!r}; expected one")
    end = next(i for i in range(starts[0], len(lines)) if lines[i].strip() == END)
    return textwrap.dedent("\n".join(lines[starts[0] + 1:end])).splitlines()


def closure_function(ex: Exercise, fn, solved: bool) -> str:
    """The marked lines of an op's backward closure as a function ``name(args) -> returns``."""
    name, args, returns = ex.closure
    where = f"{fn.__module__.replace('.', '/')}.py"
    doc = (fn.__doc__ or "").strip().splitlines()[0]
    body = [f"    {line}" if line else "" for line in _region(fn, ex.regions[0])] if solved else [_stub(ex, "    ")]
    return "\n".join([f"def {name}({', '.join(args)}):",
                      f'    """The lines marked in the backward closure of ``{fn.__qualname__}`` ({where}).',
                      "", f"    {doc}", '    """', *body, f"    return {', '.join(returns)}"])


def student_source(ex: Exercise) -> str:
    """The student's file: imports, then each function with the exercise's regions stubbed."""
    parts = [f'"""Exercise {ex.number}: {ex.title}.\n\n{ex.summary}\n\nCheck it with:'
             f'  python -m minicompress check {ex.slug} {ex.filename}\n"""\n', ex.preamble.strip(), ""]
    if ex.closure:
        return "\n".join(parts + ["", closure_function(ex, ex.functions()[0], solved=False), ""]).rstrip() + "\n"
    for fn in ex.functions():
        src = textwrap.dedent(inspect.getsource(getattr(fn, "py_func", fn)))
        lines = [line for line in src.splitlines() if not line.lstrip().startswith("@")]
        out, skipping = [], False
        for line in lines:
            stripped = line.strip()
            if stripped.startswith(BEGIN) and stripped[len(BEGIN):].strip().rstrip("-").strip() in ex.regions:
                out.append(_stub(ex, line[: len(line) - len(line.lstrip())]))
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
    if ex.closure:
        return "\n".join(parts + ["", closure_function(ex, ex.functions()[0], solved=True), ""]).rstrip() + "\n"
    for fn in ex.functions():
        text = textwrap.dedent(inspect.getsource(getattr(fn, "py_func", fn)))
        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("@"))
        for old, new in ex.rename.items():
            text = text.replace(old, new)
        parts += ["", text, ""]
    return "\n".join(parts).rstrip() + "\n"


GRADING_NOTE = (
    "The grader runs your file in a separate process with a time limit (5 s unless the teacher sets "
    "another), a memory limit and an output limit, and computes the expected answers itself: an endless "
    "loop, a crash, an early exit or a changed reference fails with a message instead of hanging or "
    "passing. It does not protect against a program written to do harm: run code you do not trust only "
    "in a container or under a separate account.")


def write_exercises(folder, slugs=None, force: bool = False) -> list:
    """Write ``NN_slug.py`` and ``NN_slug.md`` for each exercise into ``folder``; returns the paths.

    Refuses (``FileExistsError``, naming the files) to overwrite a file that is
    already there, which may be a student's finished work, unless ``force``.
    """
    folder = Path(folder)
    chosen = [ex for ex in EXERCISES if not slugs or ex.slug in slugs]
    present = [folder / name for ex in chosen for name in (ex.filename, f"{ex.slug}.md") if (folder / name).exists()]
    if present and not force:
        raise FileExistsError(f"{len(present)} exercise files are already in {folder} (for example "
                              f"{present[0].name}) and may hold a student's work; nothing was written. "
                              "Use another folder, or --force to overwrite them")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in chosen:
        (folder / ex.filename).write_text(student_source(ex), encoding="utf-8")
        (folder / f"{ex.slug}.md").write_text(f"# Exercise {ex.number}: {ex.title}\n\n{ex.instructions.strip()}\n\n"
                                             f"Check your work:\n\n    python -m minicompress check {ex.slug} "
                                             f"{ex.filename}\n\n{GRADING_NOTE}\n", encoding="utf-8")
        written.append(folder / ex.filename)
    return written
