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
             f'  python -m minicompress check {ex.filename}\n"""\n', ex.preamble.strip(), ""]
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


# Where each exercise is taught: tutorial file and section.
TAUGHT_IN = {
    "mul_backward": "tutorials/01_autograd_and_mlp.py, 1.2 The backward pass is the chain rule",
    "matmul_backward": "tutorials/01_autograd_and_mlp.py, 1.2 The backward pass is the chain rule",
    "relu_backward": "tutorials/01_autograd_and_mlp.py, 1.2 The backward pass is the chain rule",
    "rounding": "tutorials/02_quantization_basics.py, 2.2 Rounding, ties, and floating point",
    "choose_qparams": "tutorials/02_quantization_basics.py, 2.4 Choosing q: symmetric and affine",
    "gemm_int8": "tutorials/04_integer_only_inference.py, 4.1 int8 GEMM with an int32 accumulator",
    "requantize": "tutorials/04_integer_only_inference.py, 4.2 A real multiplier with integers only",
    "soft_labels": "tutorials/06_soft_labels_and_temperature.py, 6.1 Temperature on three logits",
    "kd_loss": "tutorials/06_soft_labels_and_temperature.py, 6.4 Why Hinton's loss has a T² in it",
    "kd_gradient": "tutorials/06_soft_labels_and_temperature.py, 6.4 Why Hinton's loss has a T² in it",
    "kmeans": "tutorials/08_deep_compression.py, 8.1 The pieces, on numbers small enough to check by hand",
    "adaround_h": "tutorials/10_how_to_round.py, 10.3 AdaRound's two pieces",
    "adaround_penalty": "tutorials/10_how_to_round.py, 10.3 AdaRound's two pieces",
    "gptq_column": "tutorials/10_how_to_round.py, 10.4 GPTQ, one column at a time",
    "equalization_scales": "tutorials/10_how_to_round.py, 10.6 Equalization: one step per tensor, fitted to "
                           "every channel",
    "hutchinson": "tutorials/11_where_to_compress.py, 11.2 Hutchinson's trace, checked where the answer is known",
    "thin_pair": "tutorials/11_where_to_compress.py, 11.4 Removing whole neurons",
}


def worked_example(ex: Exercise) -> str:
    """The first case of ``ex`` with the answer the reference gives for it, and where that answer comes from."""
    from .grade import _show
    case = ex.cases()[0]
    return f"{case.label}\n\n    expected: {_show(ex.reference(*case.args))}\n\n(from: {case.source})"


def instructions(ex: Exercise) -> str:
    """The ``.md`` a student reads: goal, what to write, where it is taught, a worked example, how to check."""
    return (f"# Exercise {ex.number}: {ex.title}\n\n"
            f"## Goal\n\n{ex.summary.strip()}\n\n"
            f"## What to write\n\n{ex.instructions.strip()}\n\n"
            f"## Where it is taught\n\n{TAUGHT_IN[ex.slug]}\n\n"
            f"## A worked example (the grader's first case)\n\n{worked_example(ex)}\n\n"
            f"## Check your work\n\n    python -m minicompress check {ex.filename}\n\n{GRADING_NOTE}\n")


def choose(slugs=None) -> list:
    """The exercises named in ``slugs`` (slugs or numbers; all when empty), refusing names that are not there."""
    if not slugs:
        return list(EXERCISES)
    known = {ex.slug: ex for ex in EXERCISES} | {str(ex.number): ex for ex in EXERCISES} \
        | {f"{ex.number:02d}": ex for ex in EXERCISES}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise ValueError(f"no exercise {unknown[0]!r}; the exercises are {', '.join(ex.slug for ex in EXERCISES)}")
    wanted = {known[s].slug for s in slugs}
    return [ex for ex in EXERCISES if ex.slug in wanted]


def _refuse_overwrite(folder: Path, names: list, force: bool) -> None:
    present = [folder / n for n in names if (folder / n).exists()]
    if present and not force:
        raise FileExistsError(f"{len(present)} exercise files are already in {folder} (for example "
                              f"{present[0].name}) and may hold a student's work; nothing was written. "
                              "Use another folder, or --force to overwrite them")


def write_exercises(folder, slugs=None, force: bool = False) -> list:
    """Write ``NN_slug.py`` and ``NN_slug.md`` for each exercise (or those in ``slugs``); returns the paths.

    Refuses (``FileExistsError``, naming the files) to overwrite a file that is
    already there, which may be a student's finished work, unless ``force``.
    """
    folder = Path(folder)
    chosen = choose(slugs)
    _refuse_overwrite(folder, [n for ex in chosen for n in (ex.filename, f"{ex.slug}.md")], force)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in chosen:
        (folder / ex.filename).write_text(student_source(ex), encoding="utf-8")
        (folder / f"{ex.slug}.md").write_text(instructions(ex), encoding="utf-8")
        written.append(folder / ex.filename)
    return written


def write_key(folder, slugs=None, force: bool = False) -> list:
    """Write the answer key: each exercise's reference solution as ``NN_slug.py`` (it passes ``check``)."""
    folder = Path(folder)
    chosen = choose(slugs)
    _refuse_overwrite(folder, [ex.filename for ex in chosen], force)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ex in chosen:
        (folder / ex.filename).write_text(reference_source(ex), encoding="utf-8")
        written.append(folder / ex.filename)
    return written

