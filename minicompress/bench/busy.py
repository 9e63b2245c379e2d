"""A busy machine: tutorial 1 alone and beside two CPU-bound processes, which this benchmark starts and stops."""

from __future__ import annotations

import time

from ..experiments.budget import FULL, Budget
from . import bench


def _timed_run(cmd, env) -> float:
    import subprocess
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench busy: {' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - t0


def busy_times(cmd, env, competitors: int = 2, repeats: int = 1) -> tuple:
    """Seconds of ``cmd`` alone, then beside ``competitors`` CPU-bound processes (started and stopped here).

    Each is the best of ``repeats`` runs (the least disturbed one, as in every benchmark here).
    """
    import subprocess
    import sys
    idle = min(_timed_run(cmd, env) for _ in range(repeats))
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(competitors)]
    try:
        loaded = min(_timed_run(cmd, env) for _ in range(repeats))
    finally:
        for p in spinners:
            p.kill()
        for p in spinners:
            p.wait()
    return idle, loaded


@bench("busy")
def bench_busy(budget: Budget = FULL) -> str:
    """Tutorial 1 alone and beside two busy processes, with the libraries' thread defaults and with minicompress's.

    Run from the repository root (the tutorial is not part of the installed package).
    """
    import os
    import sys
    import tempfile
    from pathlib import Path

    from ..threads import library_defaults_env
    script = Path("tutorials/01_autograd_and_mlp.py")
    if not script.exists():
        raise SystemExit("bench busy runs tutorials/01_autograd_and_mlp.py: start it from the repository root "
                         f"(the folder with tutorials/), not from {Path.cwd()}")
    quick = {"MINICOMPRESS_QUICK": "1"} if budget.name.lower() == "quick" else {}
    with tempfile.TemporaryDirectory() as out:
        base = {**quick, "MINICOMPRESS_FIGURES": out}
        configs = [("libraries' defaults (2 BLAS threads, OpenMP spins)", {**library_defaults_env(), **base}),
                   ("minicompress's choice (1 BLAS thread, short OpenMP spin)", {**os.environ, **base})]
        repeats = 1 if quick else 2
        rows = [(label, *busy_times([sys.executable, str(script)], env, repeats=repeats)) for label, env in configs]
    lines = [f"tutorial 1 ({budget.name} budget), wall-clock seconds (best of {repeats}), alone and beside 2 "
             f"CPU-bound processes on {os.cpu_count()} cores", f"{'threads':<54}{'idle':>8}{'busy':>8}{'busy/idle':>11}"]
    for label, idle, loaded in rows:
        lines.append(f"{label:<54}{idle:>8.1f}{loaded:>8.1f}{loaded / idle:>10.2f}x")
    lines.append("target: busy/idle at most 1.8x with minicompress's choice")
    return "\n".join(lines)
