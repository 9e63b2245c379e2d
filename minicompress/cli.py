"""Command line: ``python -m minicompress [tour|verify|figures|bench|info]``.

With no subcommand it runs the guided ``tour``. Heavy imports (matplotlib,
Numba) happen inside the subcommands that need them, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import platform
import sys


def cmd_tour(args) -> int:
    from .tour import run
    print(run(quick=args.quick, seed=args.seed, fresh=args.fresh))
    return 0


def cmd_verify(args) -> int:
    from .verify import main
    return main()


def cmd_figures(args) -> int:
    from .plots import make_all
    for path in make_all(args.out, quick=args.quick, names=args.names):
        print(path)
    return 0


def cmd_bench(args) -> int:
    from .bench import run
    print(run(args.names, quick=args.quick, save_to=None if args.quick else args.save))
    return 0


def cmd_experiments(args) -> int:
    if args.which == "qat":
        from .quant.qat_experiments import report
    elif args.which == "prune":
        from .prune.pipeline import report
    else:
        from .distill.experiments import report
    print(report(quick=args.quick))
    return 0


def cmd_taxonomy(args) -> int:
    from .taxonomy import taxonomy_table
    print(taxonomy_table())
    return 0


def cmd_exercises(args) -> int:
    from .exercises.catalog import EXERCISES
    if args.action == "list":
        for ex in EXERCISES:
            print(f"{ex.number:>3}  {ex.slug:<18}{ex.title}")
        return 0
    if not args.dir:
        raise SystemExit("exercises new needs a folder: python -m minicompress exercises new DIR")
    from .exercises.generate import write_exercises
    for path in write_exercises(args.dir):
        print(path)
    print(f"each exercise has a .py file to complete and a .md with instructions; grade one with "
          f"`python -m minicompress check SLUG {args.dir}/FILE.py`")
    return 0


def cmd_check(args) -> int:
    from .exercises.grade import check
    ok, text = check(args.exercise, args.path)
    print(text)
    return 0 if ok else 1


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
    lines.append(f"cpus        {os.cpu_count()}")
    return "\n".join(lines)


def cmd_info(args) -> int:
    print(info_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m minicompress",
                                description="minicompress: neural-network compression you can read, "
                                            "run, check and plot. Without a subcommand: the tour.")
    sub = p.add_subparsers(dest="command")
    t = sub.add_parser("tour", help="train the digits teacher and compare every method (default)")
    t.add_argument("--quick", action="store_true", help="few epochs, for a smoke test")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--fresh", action="store_true", help="recompute instead of using cached results")
    t.set_defaults(fn=cmd_tour)
    sub.add_parser("verify", help="check every formula against independent values").set_defaults(fn=cmd_verify)
    f = sub.add_parser("figures", help="regenerate the PNGs in figures/")
    f.add_argument("names", nargs="*", help="only these figures (default: all)")
    f.add_argument("--out", default=None, help="output folder (default: figures/)")
    f.add_argument("--quick", action="store_true", help="less training, for a smoke test")
    f.set_defaults(fn=cmd_figures)
    b = sub.add_parser("bench", help="speed comparisons, side by side in one run")
    b.add_argument("names", nargs="*", help="which benchmarks (default: all), e.g. autograd")
    b.add_argument("--quick", action="store_true", help="fewer sizes and repeats (nothing is saved)")
    b.add_argument("--save", default="figures", help="where `kernels` saves its GEMM numbers for the "
                                                     "int_gemm_speed figure (default: figures/)")
    b.set_defaults(fn=cmd_bench)
    sub.add_parser("info", help="versions and whether the Numba JIT is on").set_defaults(fn=cmd_info)
    x = sub.add_parser("exercises", help="classroom exercises: list them, or write the student copies")
    x.add_argument("action", choices=["list", "new"])
    x.add_argument("dir", nargs="?", help="folder for `new`")
    x.set_defaults(fn=cmd_exercises)
    c = sub.add_parser("check", help="grade a student's exercise file against the reference")
    c.add_argument("exercise", help="the exercise's name or number (see `exercises list`)")
    c.add_argument("path", nargs="?", help="the student's file (default: NN_name.py here)")
    c.set_defaults(fn=cmd_check)
    sub.add_parser("taxonomy", help="the seed's taxonomy, node by node, with the code for each"
                   ).set_defaults(fn=cmd_taxonomy)
    e = sub.add_parser("experiments", help="distillation, QAT or Deep Compression experiments over seeds")
    e.add_argument("which", nargs="?", default="distill", choices=["distill", "qat", "prune"])
    e.add_argument("--quick", action="store_true", help="2 seeds and few epochs, for a smoke test")
    e.set_defaults(fn=cmd_experiments)
    return p


COMMANDS = ("tour", "verify", "figures", "bench", "info", "experiments", "taxonomy", "exercises", "check")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["tour", *argv]          # no subcommand: the tour (its options may follow)
    args = build_parser().parse_args(argv)
    return args.fn(args)
