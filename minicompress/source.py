"""Where a function lives: ``where(quantize_model)`` → ``minicompress/quant/model.py:118  quantize_model``.

The tutorials print these lines under "Read the code", so that a reader goes
from a one-line call to the lines that compute it. The line numbers are read
from the source when asked, so they never go stale.
"""

from __future__ import annotations

import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def where(obj) -> str:
    """``path:line  name`` of a function, class or method, the path relative to the repository (or package)."""
    target = getattr(obj, "py_func", obj)                 # a Numba kernel: its Python source
    path = Path(inspect.getsourcefile(target)).resolve()
    line = inspect.getsourcelines(target)[1]
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    return f"{shown}:{line}  {getattr(obj, '__qualname__', getattr(obj, '__name__', str(obj)))}"


def resolve(ref: str):
    """The object a ``"package.module:name"`` (or ``"module:Class.method"``) reference names."""
    import importlib
    module, _, name = ref.partition(":")
    obj = importlib.import_module(module)
    for part in name.split(".") if name else []:
        obj = getattr(obj, part)
    return obj


def sources(*refs) -> str:
    """``where`` of each ``"module:name"`` reference, one per line: what a tutorial's "Read the code" prints."""
    return "\n".join(where(resolve(ref)) for ref in refs)
