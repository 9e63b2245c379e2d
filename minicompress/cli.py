"""Command line: ``python -m minicompress [COMMAND]``; without a command, the guided tour.

The commands (this list is generated from ``COMMANDS``, the same list ``--help`` prints):

{commands}

``--quick`` builds the QUICK budget (a few epochs and seeds) instead of FULL;
the budget is built here, once, and passed down. Heavy imports (matplotlib,
Numba) happen inside the commands that need them, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import platform
import sys
from dataclasses import dataclass


def _budget(args):
    from .experiments.budget import FULL, QUICK
    return QUICK if getattr(args, "quick", False) else FULL


def cmd_tour(args) -> int:
    from .tour import run
    print(run(_budget(args), seed=args.seed, fresh=args.fresh))
    return 0


def cmd_verify(args) -> int:
    from .checks import main
    return main()


def cmd_figures(args) -> int:
    from .plots import make_all
    try:
        for path in make_all(args.out, _budget(args), names=args.names):
            print(path)
    except OSError as exc:
        raise SystemExit(f"figures: cannot write into {args.out or 'figures/'}: {exc.strerror or exc} "
                         "(choose a folder you may write to with --out)") from None
    return 0


def cmd_bench(args) -> int:
    from .bench import run
    print(run(args.names, _budget(args)))
    return 0


def cmd_experiments(args) -> int:
    from .experiments import UnknownExperiment, report
    try:
        print(report(args.which, _budget(args)))
    except UnknownExperiment as exc:
        raise SystemExit(str(exc)) from None
    return 0


def cmd_taxonomy(args) -> int:
    from .taxonomy import taxonomy_table
    print(taxonomy_table())
    return 0


def cmd_seed(args) -> int:
    from .ledger import format_glossary, format_ledger, select
    if args.glossary:
        print(format_glossary())
        return 0
    statuses = [s.strip() for s in args.status.split(",")] if args.status else None
    try:
        items = select(statuses, args.section)
    except ValueError as exc:
        raise SystemExit(f"seed: {exc}") from None
    print(format_ledger(items))
    return 0


def _only(args):
    return [x.strip() for x in args.only.split(",") if x.strip()] if getattr(args, "only", None) else None


def cmd_exercises(args) -> int:
    from .exercises.catalog import EXERCISES
    if args.action == "list":
        for ex in EXERCISES:
            print(f"{ex.number:>3}  {ex.slug:<20}{ex.title}")
        return 0
    if not args.dir:
        raise SystemExit(f"exercises {args.action} needs a folder: python -m minicompress exercises {args.action} DIR")
    from .exercises.generate import write_exercises, write_key
    write = write_exercises if args.action == "new" else write_key
    try:
        paths = write(args.dir, slugs=_only(args), force=args.force)
    except (FileExistsError, ValueError) as exc:
        raise SystemExit(f"exercises {args.action}: {exc}") from None
    except OSError as exc:
        raise SystemExit(f"exercises {args.action}: cannot write into {args.dir}: {exc.strerror or exc} "
                         "(choose a folder you may write to)") from None
    for path in paths:
        print(path)
    if args.action == "new":
        from pathlib import Path
        print(f"each exercise has a .py file to complete and a .md with instructions; grade one with "
              f"`python -m minicompress check {Path(args.dir) / 'NN_name.py'}`, or all with `check {args.dir}`")
    else:
        print(f"the answer key: the reference solution of each exercise; `python -m minicompress check {args.dir}` "
              "passes every one")
    return 0


def _limits(args):
    from .exercises.sandbox import Limits, default_limits
    return default_limits() if args.timeout is None else Limits(seconds=args.timeout)


def cmd_check(args) -> int:
    from pathlib import Path

    from .exercises.grade import check, report
    from .exercises.roster import check_folder, exercise_of, verdict
    target, limits = Path(args.exercise), _limits(args)
    if args.path is None and target.is_dir():                       # a folder: every exercise file in it
        graded = check_folder(target, limits)
        for ex, results in graded:
            print(report(ex, results) + "\n")
        print("summary: " + ", ".join(f"{ex.number:02d}_{ex.slug} {verdict(r)}" for ex, r in graded))
        return 0 if all(all(x.ok for x in r) for _, r in graded) else 1
    if args.path is None and (target.suffix == ".py" or target.is_file()):   # a file: its name says which exercise
        ok, text = check(str(exercise_of(target).number), target, limits)
    else:
        ok, text = check(args.exercise, args.path, limits)
    print(text)
    return 0 if ok else 1


def cmd_grade(args) -> int:
    from .exercises.roster import grade_class, write_roster
    header, rows = grade_class(args.root, _limits(args), only=_only(args))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    if args.csv:
        try:
            print(f"roster: {write_roster(args.csv, header, rows)}")
        except OSError as exc:
            raise SystemExit(f"grade: cannot write {args.csv}: {exc.strerror or exc}") from None
    return 0


def info_text() -> str:
    import numpy
    lines = [f"minicompress {__import__('minicompress').__version__}",
             f"python      {platform.python_version()} ({platform.machine()})",
             f"numpy       {numpy.__version__}"]
    try:
        import numba
        jit = "off (NUMBA_DISABLE_JIT=1)" if numba.config.DISABLE_JIT else "on"
        lines.append(f"numba       {numba.__version__}, JIT {jit}, {numba.config.NUMBA_NUM_THREADS} threads")
    except ImportError:
        lines.append("numba       not installed (the integer kernels need it)")
    try:
        import matplotlib
        lines.append(f"matplotlib  {matplotlib.__version__}")
    except ImportError:
        lines.append("matplotlib  not installed (figures need it)")
    import os

    from .threads import describe
    lines.append(f"cpus        {os.cpu_count()}")
    lines += describe()
    return "\n".join(lines)


def cmd_info(args) -> int:
    if args.layers:
        from .layers import layers_text
        print(layers_text())
    else:
        print(info_text())
    return 0


def _seed(text: str) -> int:
    """A random seed for argparse: a whole number >= 0 (NumPy's generators refuse negative seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a random seed is a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a random seed is a whole number >= 0 (NumPy refuses negative "
                                         f"seeds), got {value}")
    return value


def _tour_args(p):
    p.add_argument("--quick", action="store_true", help="the QUICK budget: few epochs and seeds, a smoke test")
    p.add_argument("--seed", type=_seed, default=0, help="random seed of the teacher and every run (>= 0)")
    p.add_argument("--fresh", action="store_true", help="recompute instead of using cached results")


def _figures_args(p):
    p.add_argument("names", nargs="*", help="only these figures (default: all)")
    p.add_argument("--out", default=None, help="output folder (default: figures/)")
    p.add_argument("--quick", action="store_true", help="the QUICK budget, for a smoke test")


def _bench_args(p):
    p.add_argument("names", nargs="*", help="which benchmarks (default: all but busy), e.g. autograd; "
                                            "busy times tutorial 1 beside two busy processes (minutes)")
    p.add_argument("--quick", action="store_true", help="the QUICK budget: fewer sizes and repeats")


def _experiments_args(p):
    p.add_argument("which", nargs="?", default="distill", help="distill, prune or qat (default: distill)")
    p.add_argument("--quick", action="store_true", help="the QUICK budget: 2 seeds and few epochs, a smoke test")


def _exercises_args(p):
    p.add_argument("action", choices=["list", "new", "key"],
                   help="list them; new DIR: the student copies and instructions; key DIR: the answer key")
    p.add_argument("dir", nargs="?", help="folder for `new` and `key`")
    p.add_argument("--only", default=None, help="only these exercises, comma-separated names or numbers")
    p.add_argument("--force", action="store_true", help="overwrite exercise files already in the folder")


def _timeout_arg(p):
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds a file may run (default 5, or $MINICOMPRESS_GRADE_TIMEOUT); it runs in a "
                        "child process with memory and output limits")


def _check_args(p):
    p.add_argument("exercise", help="a student's file (NN_name.py), a folder of them, or an exercise's name or "
                                    "number followed by the file")
    p.add_argument("path", nargs="?", help="the student's file, after an exercise's name (default: NN_name.py here)")
    _timeout_arg(p)


def _grade_args(p):
    p.add_argument("root", help="the class: one folder per student, each with that student's NN_name.py files")
    p.add_argument("--csv", default=None, help="write the roster to this CSV file")
    p.add_argument("--only", default=None, help="only these exercises, comma-separated names")
    _timeout_arg(p)


def _seed_args(p):
    p.add_argument("--status", default=None,
                   help="only items with these statuses, comma-separated: right, wrong, misleading, "
                        "'not checkable', 'out of scope'")
    p.add_argument("--section", default=None, help="only this section and its subsections, e.g. §4 or §5.2")
    p.add_argument("--glossary", action="store_true", help="the seed's terms → standard terms → minicompress")


def _info_args(p):
    p.add_argument("--layers", action="store_true", help="each package's layer and what it imports")


@dataclass
class Command:
    name: str
    help: str
    run: object
    args: object = None


COMMANDS = [
    Command("tour", "train the digits teacher and compare every method (the default)", cmd_tour, _tour_args),
    Command("verify", "check every formula against independent values", cmd_verify),
    Command("figures", "regenerate the PNGs in figures/", cmd_figures, _figures_args),
    Command("bench", "speed comparisons, side by side in one run", cmd_bench, _bench_args),
    Command("experiments", "distillation, QAT or Deep Compression studies over seeds", cmd_experiments,
            _experiments_args),
    Command("seed", "the seed document's ledger, claim by claim, with evidence; --glossary", cmd_seed, _seed_args),
    Command("taxonomy", "the seed's taxonomy, node by node, with the code for each", cmd_taxonomy),
    Command("exercises", "classroom exercises: list them, or write the student copies", cmd_exercises,
            _exercises_args),
    Command("check", "grade a student's exercise file (or a folder of them) against the reference", cmd_check,
            _check_args),
    Command("grade", "grade a class (one folder per student) into a roster, optionally CSV", cmd_grade, _grade_args),
    Command("info", "versions, whether the Numba JIT is on; --layers: the package layers", cmd_info, _info_args),
]

__doc__ = __doc__.format(commands="\n".join(f"    {c.name:<12}{c.help}" for c in COMMANDS))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m minicompress",
                                description="minicompress: neural-network compression you can read, "
                                            "run, check and plot. Without a command: the tour.")
    sub = p.add_subparsers(dest="command", title="commands")
    for c in COMMANDS:
        s = sub.add_parser(c.name, help=c.help, description=c.help)
        if c.args is not None:
            c.args(s)
        s.set_defaults(fn=c.run)
    return p


def _utf8_streams() -> None:
    """Write UTF-8 whatever the locale (a C or ASCII locale would crash on "α" or "≤"); never fail on encoding."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in {c.name for c in COMMANDS} and argv[0] not in ("-h", "--help")):
        argv = ["tour", *argv]          # no command: the tour (its options may follow)
    _utf8_streams()
    args = build_parser().parse_args(argv)
    try:
        code = args.fn(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`... | head`): nothing is wrong with the results. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again, and end quietly.
        import os
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
