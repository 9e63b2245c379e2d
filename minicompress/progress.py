"""Progress for people, on stderr (stdout keeps only results): a rewritten line per epoch, a plain line per stage.

* ``Progress`` rewrites one line per epoch (``\\r``) where someone watches it:
  on a terminal, and in a Jupyter notebook, whose output area understands
  ``\\r`` too. It names its run (``label``) and the time left at the pace so far.
* ``Stages`` prints one plain line per stage everywhere, a pipe or a CI log
  included: which stage of how many, what runs, and the time left, estimated
  from the stages done so far (each stage's ``weight`` says how long it
  takes relative to the others, when that is known).
"""

from __future__ import annotations

import sys
import time


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (its stderr is no terminal, but a person reads it)."""
    return "ipykernel" in sys.modules


def watched() -> bool:
    """Whether a person sees stderr as it is written: a terminal or a notebook."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) or in_notebook()


def duration(seconds: float) -> str:
    """``8 s``, ``2 min 05 s``: a duration as a person reads it."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


class Progress:
    """Rewrites one stderr line per update: the run's label, what ``update`` says, and the time left.

    ``update(text, done, total)`` estimates the time left as the mean time per
    unit so far times the units left. Silent unless ``enabled``.
    """

    def __init__(self, enabled: bool, label: str = ""):
        self.enabled, self.label, self.start = enabled, label, time.perf_counter()
        self.clear = "\033[K" if not in_notebook() else "   "     # a notebook shows escape codes as text

    def update(self, text: str, done: int | None = None, total: int | None = None) -> None:
        if not self.enabled:
            return
        left = ""
        if done and total and done < total:
            left = f"  ~{duration((time.perf_counter() - self.start) / done * (total - done))} left"
        sys.stderr.write(f"\r{self.label}{text}{left}{self.clear}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


class Stages:
    """One plain stderr line per stage: ``label [i/n] what (12 s so far, about 40 s left)``."""

    def __init__(self, label: str, weights):
        """``weights``: one number per stage, its expected share of the time (all 1 when unknown)."""
        self.label, self.weights = label, [float(w) for w in weights]
        self.done_weight, self.index, self.start = 0.0, 0, time.perf_counter()

    def next(self, what: str) -> None:
        if self.index:
            self.done_weight += self.weights[self.index - 1]
        self.index += 1
        elapsed = time.perf_counter() - self.start
        total = sum(self.weights)
        left = ""
        if self.done_weight > 0 and self.done_weight < total:
            left = f", about {duration(elapsed / self.done_weight * (total - self.done_weight))} left"
        print(f"{self.label} [{self.index}/{len(self.weights)}] {what} ({duration(elapsed)} so far{left})",
              file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(f"{self.label} finished in {duration(time.perf_counter() - self.start)}", file=sys.stderr, flush=True)
