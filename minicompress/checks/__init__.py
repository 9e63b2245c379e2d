"""``python -m minicompress verify``: every formula check, run and printed as one table.

Each module of this package registers its checks with ``@check``. A check
returns an ``Outcome``: an independently derived expected value, the value
minicompress computes, pass or fail, and, where the seed document states a
number, whether the seed is right. ``verify`` finds the modules here itself
and prints: the check, where its formula comes from, expected, computed,
result, and what the seed says.

    core.py      the tiny deep-learning library: softmax, cross-entropy, gradients
    distill.py   seed §2.2, §3.2.2, §4.1-4.3, §5.2 and Hinton et al.'s KD loss
    integer.py   the integer path: M0·2^(−31−n), srdhm, rounding shifts, accumulators
    prune.py     Deep Compression: eq. 1's ratio, Huffman lengths, gap padding
    qat.py       the straight-through estimator and LSQ's step gradient
    quant.py     seed §2.1, §3.2.1, §4.1-4.3: codes, the seed's loss, ties, steps, formats
    rounding.py  how to round: equalization is exact, GPTQ with H = I, brute force ≤ every rule, h(V)
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass
class CheckSpec:
    name: str
    source: str           # where the formula comes from: "seed §4.3", "Hinton et al. 2015", ...
    fn: object            # () -> Outcome
    claim: object = None  # what the seed document states, when it states a number


@dataclass
class Outcome:
    """What a check found: an independently derived value and minicompress's value."""

    expected: object
    computed: object
    ok: bool
    note: str = ""
    claim_ok: object = None  # True/False when the seed document states a value, else None


CHECKS: dict = {}


def check(name: str, source: str, claim=None):
    """Register ``fn() -> Outcome`` as a formula check."""
    def register(fn):
        if name in CHECKS:
            raise ValueError(f"a check named {name!r} is already registered")
        CHECKS[name] = CheckSpec(name, source, fn, claim)
        return fn
    return register


ORDER = ["core", "quant", "rounding", "qat", "integer", "distill", "prune"]   # the table's order; others follow


def load_checks() -> list:
    """Import every module of this package (each registers its checks); the checks in order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: ORDER.index(i.name) if i.name in ORDER else 99):
        importlib.import_module(f"{__name__}.{info.name}")
    return list(CHECKS.values())


def run_checks() -> list:
    """Run all checks; returns ``[(spec, outcome)]``. A check that raises counts as failed."""
    results = []
    for spec in load_checks():
        try:
            outcome = spec.fn()
        except Exception as exc:  # a broken check is reported, not hidden
            outcome = Outcome("-", f"{type(exc).__name__}: {exc}", False)
        results.append((spec, outcome))
    return results


def _fmt(value, width):
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results) -> str:
    lines = [f"{'check':<38} {'source':<34} {'expected':<22} {'computed':<22} {'result':<6} seed says",
             "-" * 140]
    for spec, o in results:
        seed = "-" if o.claim_ok is None else ("right" if o.claim_ok else f"WRONG ({spec.claim})")
        lines.append(f"{_fmt(spec.name, 38):<38} {_fmt(spec.source, 34):<34} "
                     f"{_fmt(o.expected, 22):<22} {_fmt(o.computed, 22):<22} "
                     f"{'pass' if o.ok else 'FAIL':<6} {seed}")
        if o.note:
            lines.append(f"{'':<38} note: {o.note}")
    failed = sum(not o.ok for _, o in results)
    wrong = sum(o.claim_ok is False for _, o in results)
    lines.append("-" * 140)
    lines.append(f"{len(results) - failed} passed, {failed} failed; "
                 f"the seed document is wrong in {wrong} of its claims checked here")
    return "\n".join(lines)


def main() -> int:
    results = run_checks()
    print(format_table(results))
    return 0 if all(o.ok for _, o in results) else 1
