"""An on-disk cache for results that take training to produce (the tour's rows).

Entries live in ``$MINICOMPRESS_CACHE`` (default ``~/.cache/minicompress``; an
empty value means the default too) under a key that includes a hash of
minicompress's own source files, so a change to the code makes old results
invisible instead of stale. A cache file is untrusted input: each entry
carries a format version, ``load`` hands back only what passes its schema
check (else ``None``, and the caller recomputes), and ``store`` writes a
temporary file and renames it, so a reader never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = 3                       # bump when the shape of an entry changes


def cache_dir() -> Path:
    chosen = os.environ.get("MINICOMPRESS_CACHE", "").strip()
    return Path(chosen) if chosen else Path.home() / ".cache" / "minicompress"


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over the package's .py files and the NumPy version (results depend on both)."""
    h = hashlib.sha256(np.__version__.encode())
    root = Path(__file__).parent.parent                 # the whole package, not only tour/
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load(name: str, valid=None):
    """The entry stored under ``name``, or None when there is none, or it is damaged, of another format,
    or fails ``valid(value)`` (a schema check that returns True or False)."""
    path = cache_dir() / f"{name}-{code_hash()}.json"
    try:
        if not path.is_file() or path.stat().st_size > 64 << 20:
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None              # a damaged cache entry is ignored and recomputed
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or "value" not in entry:
        return None
    try:
        ok = valid is None or bool(valid(entry["value"]))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        ok = False
    return entry["value"] if ok else None


def store(name: str, value) -> None:
    """Write the entry atomically: a temporary file in the same folder, then a rename."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{name}-{code_hash()}.json"
        tmp = folder / f".{final.name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "value": value}), encoding="utf-8")
        os.replace(tmp, final)
    except OSError:
        pass                     # a read-only home only costs speed
