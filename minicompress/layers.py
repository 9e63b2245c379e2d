"""The layers of minicompress, read from the code: every import of every file, and the rules they obey.

    commands   cli.py, __main__.py, layers.py
    stories    tour/  checks/  experiments/  plots/  exercises/  ledger/  bench/  bill.py  taxonomy.py
    methods    quant/  integer/  distill/  prune/
    library    functional.py  nn.py  optim.py  train.py  data.py  stats.py  text.py  progress.py  source.py  datasets/
    engine     autograd.py  shape_ops.py  graph.py  gradcheck.py  threads.py
    kernels/   (Numba) numpy, numba and the standard library only

Imports point downwards only. Beyond that:

* a method package imports no story, no command, and no sibling method,
  except that ``integer`` builds on ``quant`` (and, like it, on ``kernels``);
* ``quant`` never imports ``integer``;
* ``kernels`` imports nothing but NumPy, Numba (with llvmlite, which Numba
  is built on) and the standard library.

The imports are read with ``ast`` from the source, including those inside
functions, so a lazy import cannot hide a dependency. ``python -m minicompress
info --layers`` prints each package with what it imports; the test suite
fails on any import that breaks a rule.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent
PACKAGE = "minicompress"

LAYERS = {
    "commands": ("cli", "__main__", "layers"),
    "stories": ("tour", "checks", "experiments", "plots", "exercises", "ledger", "bench", "bill", "taxonomy"),
    "methods": ("quant", "integer", "distill", "prune"),
    "library": ("functional", "nn", "optim", "train", "data", "stats", "text", "progress", "source", "datasets"),
    "engine": ("autograd", "shape_ops", "graph", "gradcheck", "threads", "__init__"),
    "kernels": ("kernels",),
}
RANK = {"kernels": 0, "engine": 1, "library": 2, "methods": 3, "stories": 4, "commands": 5}
ALLOWED_METHOD_IMPORTS = {"integer": {"quant"}}       # siblings a method may build on
KERNEL_THIRD_PARTY = {"numpy", "numba", "llvmlite"}


@dataclass
class Import:
    file: str            # path inside the package, e.g. "quant/qat.py"
    line: int
    target: str          # the imported module, absolute: "minicompress.nn", "numpy", ...


def unit_of(module: str) -> str:
    """The first name below the package: "minicompress.quant.qat" → "quant"; "minicompress" → "__init__"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(unit: str) -> str:
    for layer, units in LAYERS.items():
        if unit in units:
            return layer
    raise LookupError(f"{unit!r} belongs to no layer: add it to LAYERS in minicompress/layers.py")


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def scan(root: Path = ROOT) -> list:
    """Every import statement (module level or inside a function) of every .py file under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = str(path.relative_to(root))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [Import(rel, node.lineno, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0:
                    base = node.module or ""
                else:
                    here = module.split(".") if is_pkg else module.split(".")[:-1]
                    up = here[: len(here) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                if node.module is None or base == PACKAGE:     # "from . import a, b": each name may be a module
                    found += [Import(rel, node.lineno, f"{base}.{a.name}") for a in node.names]
                else:
                    found.append(Import(rel, node.lineno, base))
    return found


def _own_unit(file: str) -> str:
    first = Path(file).parts[0]
    return first[:-3] if first.endswith(".py") else first


def violations(root: Path = ROOT) -> list:
    """Each import that breaks a layer rule, as "file:line imports target: why"."""
    bad = []
    for imp in scan(root):
        src = _own_unit(imp.file)
        src_layer = layer_of(src)
        top = imp.target.split(".")[0]
        if top != PACKAGE:
            if src_layer == "kernels" and top not in KERNEL_THIRD_PARTY and top not in sys.stdlib_module_names:
                bad.append(f"{imp.file}:{imp.line} imports {imp.target}: kernels use only numpy, numba "
                           "and the standard library")
            continue
        dst = unit_of(imp.target)
        if dst == src:
            continue
        dst_layer = layer_of(dst)
        why = None
        if src_layer == "kernels":
            why = "kernels use only numpy, numba and the standard library"
        elif RANK[dst_layer] > RANK[src_layer]:
            why = f"a {src_layer} module may not import the {dst_layer} above it"
        elif src_layer == dst_layer == "methods" and dst not in ALLOWED_METHOD_IMPORTS.get(src, ()):
            why = (f"{src} may not import its sibling {dst}"
                   + (" (quant sits below integer)" if (src, dst) == ("quant", "integer") else ""))
        elif dst == "kernels" and src_layer == "methods" and src != "integer":
            why = f"{src} may not use the integer kernels; integer/ is the method that runs them"
        if why:
            bad.append(f"{imp.file}:{imp.line} imports {imp.target}: {why}")
    return bad


def dependencies(root: Path = ROOT) -> dict:
    """{unit: sorted units of minicompress it imports}."""
    deps = {}
    for imp in scan(root):
        src = _own_unit(imp.file)
        deps.setdefault(src, set())
        if imp.target.split(".")[0] == PACKAGE and unit_of(imp.target) != src:
            deps[src].add(unit_of(imp.target))
    return {k: sorted(v) for k, v in deps.items()}


def layers_text(root: Path = ROOT) -> str:
    """Each layer, top first, with each package and what it imports from minicompress."""
    deps = dependencies(root)
    lines = ["minicompress's layers, top first; imports point downwards only (read from the source)", ""]
    for layer in sorted(LAYERS, key=RANK.get, reverse=True):
        lines.append(f"{layer}")
        for unit in LAYERS[layer]:
            if unit in deps:
                name = unit + ("/" if (root / unit).is_dir() else ".py")
                lines.append(f"  {name:<16} imports {', '.join(deps[unit]) or '(nothing of minicompress)'}")
    bad = violations(root)
    lines += ["", f"{len(bad)} imports break a layer rule" + (":" if bad else ""), *[f"  {b}" for b in bad]]
    return "\n".join(lines)
