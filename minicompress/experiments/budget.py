"""How much work a run may do: epochs, seeds, calibration sizes and benchmark sizes, in one object.

A command or a tutorial builds one ``Budget`` and passes it down; nothing
below it asks "quick or not?". The two settings minicompress ships are
``FULL`` (the numbers the README and the tour report) and ``QUICK`` (a smoke
test: every stage runs, with a few epochs and seeds). Methods themselves
never see a budget: they take plain arguments (``epochs=``, ``rng=``), and
the stories read those from the budget.

Examples
--------
>>> FULL.teacher_epochs, QUICK.teacher_epochs
(40, 3)
>>> FULL.seeds("qat")
range(0, 3)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Budget:
    name: str
    teacher_epochs: int = 40          # the standard teacher (Adam, shifted digits): at most, best on validation
    qat_epochs: int = 30              # QAT and LSQ, starting from the teacher
    qat_seeds: int = 3
    qat_calibration: int = 256        # training images that set QAT's first activation ranges
    student_epochs: int = 300         # students on the full training set, at most (subsets: as many steps)
    student_patience: int | None = 50  # stop a student once its validation loss has not improved this long
    student_seeds: int = 5
    search_seeds: int = 1             # seeds per setting when a choice (T, α, ε) is made on validation
    adaround_iters: int = 500         # AdaRound's optimizer steps per layer
    hutchinson_samples: int = 32      # random vectors per layer for a Hessian trace
    neuron_epochs: int = 12           # fine-tuning after removing hidden units (split over AGP's steps)
    prune_epochs: int = 10            # retraining after each pruning step
    share_epochs: int = 5             # codebook fine-tuning after weight sharing
    prune_seeds: int = 3
    toy_epochs: int = 150             # the 2-D toy MLPs of the figures
    bench_sizes: tuple = (128, 256, 512, 1024)   # GEMM n for n×n×n
    bench_rounds: int = 8             # interleaved rounds per GEMM size
    bench_gemm_repeats: int | None = None   # timings per GEMM block (None: as many as fill 0.1 s)
    bench_repeats: int = 15           # autograd step timings
    bench_number: int = 40            # calls per autograd timing
    bench_vector: int = 1 << 22       # elements in the fused-quantize benchmark

    def seeds(self, kind: str) -> range:
        """range(n) of seeds for "qat", "student" or "prune" runs."""
        counts = {"qat": self.qat_seeds, "student": self.student_seeds, "prune": self.prune_seeds}
        if kind not in counts:
            raise ValueError(f"unknown kind of run {kind!r}; choose one of {sorted(counts)}")
        return range(counts[kind])

    def but(self, **changes) -> "Budget":
        """A copy with some fields changed, e.g. ``FULL.but(student_seeds=10)``."""
        return replace(self, **changes)

    def key(self) -> str:
        """A name for caches: the budget's name and a hash of every field, so a changed copy is another key."""
        return f"{self.name}-{hashlib.sha256(repr(self).encode()).hexdigest()[:8]}"


FULL = Budget("full")
QUICK = Budget("quick", teacher_epochs=3, qat_epochs=2, qat_seeds=2, student_epochs=4, student_seeds=2,
               student_patience=2, adaround_iters=30, hutchinson_samples=4, neuron_epochs=2,
               prune_epochs=1, share_epochs=1, prune_seeds=1, toy_epochs=30, bench_sizes=(128, 256), bench_rounds=2,
               bench_gemm_repeats=3, bench_repeats=3, bench_number=5,
               bench_vector=1 << 20)
