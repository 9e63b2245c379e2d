"""``python -m minicompress verify``: run every registered formula check and print a table.

Columns: the check, where its formula comes from, the independently derived
expected value, minicompress's computed value, whether they agree, and, where
the seed document states a number, whether the seed is right.
"""

from __future__ import annotations

from .registry import CHECKS, Outcome, load_providers


def run_checks() -> list:
    """Run all checks; returns ``[(spec, outcome)]``. A check that raises counts as failed."""
    load_providers()
    results = []
    for spec in CHECKS.values():
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
