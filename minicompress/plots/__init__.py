"""Figures: one file per topic, each figure split into data and drawing.

``<topic>.py`` defines ``<name>_data(...)`` (plain arrays, which the tests
check) and ``make_<name>(out_dir, budget)`` (draws and saves ``<name>.png``),
registered with ``@figure``. ``figures`` finds the modules here itself.
matplotlib is imported only here, when a figure is drawn.

    distillation.py  soft labels across T, the KD gradient against T, accuracy against T, dark knowledge
    integer.py       int32 accumulators, requantization error, GEMM speed
    interactive.py   sliders: the staircase against q and bits, soft labels against T, pruning against sparsity
    prune.py         weight histograms, accuracy against sparsity, bytes per stage
    qat.py           the straight-through estimator, accuracy per epoch, LSQ's learned steps
    quantization.py  the rounding staircase, error histograms, MSE against bits, accuracy against bits
    rounding.py      the step's error trade-off, each rounding rule against the optimum, calibration size
    seed.py          the seed's worked numbers against their recomputation; its diagram, as printed and corrected
    tour.py          every method of the tour: bytes against test accuracy
    training.py      the bundled digits and the teacher learning them
    where.py         each layer's sensitivity, bit allocations against the optimum, neurons against weights
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from ..experiments.budget import FULL, Budget


@dataclass
class FigureSpec:
    name: str
    topic: str
    fn: object            # (out_dir, budget) -> path of the written PNG
    measured: bool = False  # a timing of this machine: new bytes on every run


FIGURES: dict = {}


def figure(name: str, topic: str, measured: bool = False):
    """Register ``make_<name>(out_dir, budget)`` for ``python -m minicompress figures``.

    ``measured``: the figure times this machine, so its bytes differ from run to run.
    """
    def register(fn):
        fn = styled(fn)
        FIGURES[name] = FigureSpec(name, topic, fn, measured)
        return fn
    return register


def load_figures() -> dict:
    """Import every module of this package (each registers its figures)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return FIGURES


STYLE = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3,
         "svg.hashsalt": "minicompress"}


class _Figures:
    """The two calls the figure code makes, building ``matplotlib.figure.Figure`` objects without pyplot.

    A Figure made this way belongs to no backend and no window, so drawing one never touches the
    user's session: a notebook keeps its inline backend and ``plt.show()`` keeps working after any
    minicompress figure (``pyplot()`` used to switch the whole process to Agg).
    """

    @staticmethod
    def subplots(nrows=1, ncols=1, *, figsize=None, **kwargs):
        from matplotlib.figure import Figure
        fig = Figure(figsize=figsize)
        return fig, fig.subplots(nrows, ncols, **kwargs)

    @staticmethod
    def figure(figsize=None):
        from matplotlib.figure import Figure
        return Figure(figsize=figsize)

    @staticmethod
    def close(fig):
        pass                                   # nothing registered it, so there is nothing to close


def pyplot():
    """What the figure code draws with: Figures outside pyplot (see ``_Figures``), in minicompress's style."""
    return _Figures()


def styled(fn):
    """Run a figure function inside ``matplotlib.rc_context(STYLE)``: the style applies to its figure only."""
    import functools

    @functools.wraps(fn)
    def run(*args, **kwargs):
        import matplotlib
        with matplotlib.rc_context(STYLE):
            return fn(*args, **kwargs)
    return run


def save(fig, out_dir, name: str) -> Path:
    """Write ``out_dir/name.png`` without a timestamp or version stamp, so reruns give the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, metadata={"Software": None}, bbox_inches="tight")
    pyplot().close(fig)
    return path


def show(path) -> Path:
    """Say where a figure was written; in a Jupyter notebook, also show it inline. Returns ``path``.

    Tutorials call ``show(make_...(folder))``: run as scripts they print the path, opened as
    notebooks each figure appears under its cell.
    """
    from ..progress import in_notebook
    print(f"figure: {path}")
    if in_notebook():
        from IPython.display import Image, display
        display(Image(filename=str(path)))
    return path


def default_dir() -> Path:
    """``figures/`` of the working directory, or ``$MINICOMPRESS_FIGURES`` when set."""
    return Path(os.environ.get("MINICOMPRESS_FIGURES", "figures"))


def make_all(out_dir=None, budget: Budget = FULL, names=None) -> list:
    """Draw every registered figure (or those in ``names``); returns the written paths."""
    load_figures()
    out_dir = Path(out_dir) if out_dir is not None else default_dir()
    unknown = sorted(set(names or ()) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figure(s) {unknown}; known: {sorted(FIGURES)}")
    from ..progress import Stages
    chosen = [spec for spec in FIGURES.values() if not names or spec.name in names]
    steps = Stages("figures", [1] * len(chosen))
    paths = []
    for spec in chosen:
        steps.next(spec.name)
        paths.append(spec.fn(out_dir, budget=budget))
    return paths
