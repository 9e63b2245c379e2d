"""An on-disk cache for results that take training to produce (the tour's rows).

Entries live in ``$MINICOMPRESS_CACHE`` (default ``~/.cache/minicompress``) under
a key that includes a hash of minicompress's own source files, so a change
to the code makes old results invisible instead of stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np


def cache_dir() -> Path:
    return Path(os.environ.get("MINICOMPRESS_CACHE", Path.home() / ".cache" / "minicompress"))


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over the package's .py files and the NumPy version (results depend on both)."""
    h = hashlib.sha256(np.__version__.encode())
    root = Path(__file__).parent.parent                 # the whole package, not only tour/
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load(name: str):
    path = cache_dir() / f"{name}-{code_hash()}.json"
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None              # a damaged cache entry is ignored and recomputed


def store(name: str, value) -> None:
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}-{code_hash()}.json").write_text(json.dumps(value))
    except OSError:
        pass                     # a read-only home only costs speed
