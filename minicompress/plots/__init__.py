"""Figures: one file per topic, each figure split into data and drawing.

``<topic>.py`` defines ``<name>_data(...)`` (plain arrays, which the tests
check) and ``make_<name>(out_dir, quick=False)`` (draws and saves
``<name>.png``), registered with ``@figure``. matplotlib is imported only
here, when a figure is drawn.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..registry import FIGURES, load_providers


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (no window, same bytes every run)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9,
                         "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "minicompress"})
    return plt


def save(fig, out_dir, name: str) -> Path:
    """Write ``out_dir/name.png`` without a timestamp or version stamp, so reruns give the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, metadata={"Software": None}, bbox_inches="tight")
    pyplot().close(fig)
    return path


def default_dir() -> Path:
    """``figures/`` of the working directory, or ``$MINICOMPRESS_FIGURES`` when set."""
    return Path(os.environ.get("MINICOMPRESS_FIGURES", "figures"))


def make_all(out_dir=None, quick: bool = False, names=None) -> list:
    """Draw every registered figure (or those in ``names``); returns the written paths."""
    load_providers()
    out_dir = Path(out_dir) if out_dir is not None else default_dir()
    unknown = sorted(set(names or ()) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figure(s) {unknown}; known: {sorted(FIGURES)}")
    return [spec.fn(out_dir, quick=quick) for spec in FIGURES.values() if not names or spec.name in names]
