"""``python -m minicompress verify``: every formula check, run and printed as one table.

Each module of this package registers its checks with ``@check``. A check
returns an ``Outcome``: an independently derived expected value, the value
minicompress computes, pass or fail, and, where the seed document states a
number, whether the seed is right. ``verify`` finds the modules here itself
and prints: the check, where its formula comes from, expected, computed,
result, and what the seed says.

    claims.py    the seed's prose measured: parameter and MAC counts, distillation's cost,
                 static vs dynamic, §3.2.1 without a step, §4.2, the diagram, the §5 listing
    core.py      the tiny deep-learning library: softmax, cross-entropy, gradients
    distill.py   seed §2.2, §3.2.2, §4.1-4.3, §5.2 and Hinton et al.'s KD loss
    integer.py   the integer path: M0·2^(−31−n), srdhm, rounding shifts, accumulators
    prune.py     Deep Compression: eq. 1's ratio, Huffman lengths, gap padding
    qat.py       the straight-through estimator and LSQ's step gradient
    quant.py     seed §2.1, §3.2.1, §4.1-4.3: codes, the seed's loss, ties, steps, formats
    references.py  the seed's §7.3 references against the published records
    rounding.py  how to round: equalization is exact, GPTQ with H = I, brute force ≤ every rule, h(V)
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from ..text import table


@dataclass
class CheckSpec:
    name: str
    source: str           # where the formula comes from: "seed §4.3", "Hinton et al. 2015", ...
    fn: object            # () -> Outcome
    claim: object = None  # what the seed document states, when it states a number
    probe: object = None  # a wrong value (often the seed's) that ``fn(probe)`` must fail on


@dataclass
class Outcome:
    """What a check found: an independently derived value and minicompress's value."""

    expected: object
    computed: object
    ok: bool
    note: str = ""
    claim_ok: object = None  # True/False when the seed document states a value, else None


CHECKS: dict = {}


def check(name: str, source: str, claim=None, probe=None):
    """Register ``fn() -> Outcome`` as a formula check.

    A check given a ``probe`` computes its value in ``fn(computed=None)`` and
    judges it in the same function; ``fn(probe)`` judges the probe instead.
    The probe is a wrong value, usually the seed's own number, and the test
    suite runs every check on its probe and requires it to fail: that is how
    a row shows that it could fail at all.
    """
    def register(fn):
        if name in CHECKS:
            raise ValueError(f"a check named {name!r} is already registered")
        CHECKS[name] = CheckSpec(name, source, fn, claim, probe)
        return fn
    return register


ORDER = ["core", "quant", "rounding", "qat", "integer", "distill", "prune", "claims", "references"]   # the table's order; others follow


def load_checks() -> list:
    """Import every module of this package (each registers its checks); the checks in order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: ORDER.index(i.name) if i.name in ORDER else 99):
        importlib.import_module(f"{__name__}.{info.name}")
    return list(CHECKS.values())


def run_checks(specs=None) -> list:
    """Run the checks (default: all); returns ``[(spec, outcome)]``. A check that raises counts as failed."""
    results = []
    for spec in specs if specs is not None else load_checks():
        try:
            outcome = spec.fn()
        except Exception as exc:  # a broken check is reported, not hidden
            outcome = Outcome("-", f"{type(exc).__name__}: {exc}", False)
        results.append((spec, outcome))
    return results


WIDTHS = (38, 34, 22, 22, 6, 40)    # columns of the table; long cells wrap onto more lines, never cut
HEADER = ("check", "source", "expected", "computed", "result", "seed says")


def format_row(spec, o) -> str:
    """One check as table lines: its cells wrapped to the column widths, then its note."""
    seed = "-" if o.claim_ok is None else ("right" if o.claim_ok else f"WRONG ({spec.claim})")
    text = table([(spec.name, spec.source, o.expected, o.computed, "pass" if o.ok else "FAIL", seed)], WIDTHS)
    if o.note:
        text += "\n" + table([("", f"note: {o.note}")], (WIDTHS[0], sum(WIDTHS[1:]) + 2 * (len(WIDTHS) - 2)))
    return text


def format_head() -> str:
    return table([HEADER], WIDTHS) + "\n" + "-" * (sum(WIDTHS) + 2 * (len(WIDTHS) - 1))


def format_foot(results) -> str:
    failed = sum(not o.ok for _, o in results)
    wrong = sum(o.claim_ok is False for _, o in results)
    return ("-" * (sum(WIDTHS) + 2 * (len(WIDTHS) - 1)) + "\n"
            f"{len(results) - failed} passed, {failed} failed; "
            f"the seed document is wrong in {wrong} of its claims checked here")


def format_table(results) -> str:
    return "\n".join([format_head(), *(format_row(spec, o) for spec, o in results), format_foot(results)])


def main() -> int:
    """Print the table row by row, each as soon as its check has run (some train a model first)."""
    print(format_head(), flush=True)
    results = []
    for spec in load_checks():
        result = run_checks([spec])[0]
        results.append(result)
        print(format_row(*result), flush=True)
    print(format_foot(results))
    return 0 if all(o.ok for _, o in results) else 1
