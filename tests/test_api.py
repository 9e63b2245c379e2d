"""The public API matches its files: each package's docstring lists exactly its files, its ``__all__``
resolves, what the README and tutorials import exists, and the CLI's docstring and --help share one list."""

import ast
import importlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import minicompress
from minicompress.cli import COMMANDS

PACKAGE = Path(minicompress.__file__).parent
ROOT = Path(__file__).resolve().parent.parent        # the checkout: README.md and tutorials/
SUBPACKAGES = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))


@pytest.mark.parametrize("folder", SUBPACKAGES, ids=[p.name for p in SUBPACKAGES])
def test_each_package_docstring_lists_exactly_its_files(folder):
    doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text()), clean=False) or ""
    listed = set(re.findall(r"^[ \t]+(\w+\.py)\b", doc, flags=re.M))
    files = {p.name for p in folder.glob("*.py")} - {"__init__.py"}
    assert listed == files, f"{folder.name}/__init__.py lists {sorted(listed)}, the folder has {sorted(files)}"


@pytest.mark.parametrize("folder", SUBPACKAGES, ids=[p.name for p in SUBPACKAGES])
def test_every_exported_name_exists(folder):
    module = importlib.import_module(f"minicompress.{folder.name}")
    for name in getattr(module, "__all__", []):
        assert hasattr(module, name), f"minicompress.{folder.name}.__all__ names {name!r}, which it lacks"


def _imports_in(text: str) -> list:
    found = []
    statements = re.findall(r"^\s*from (minicompress[\w.]*) import \(([^)]*)\)", text, re.M)
    statements += re.findall(r"^\s*from (minicompress[\w.]*) import ([^(\n]+)$", text, re.M)
    for module, names in statements:
        for part in names.split(","):
            name = part.split("#")[0].split(" as ")[0].strip()
            if name.isidentifier():
                found.append((module, name))
    return found


def test_what_the_readme_and_tutorials_import_exists():
    texts = [(ROOT / "README.md").read_text()] + [p.read_text() for p in sorted((ROOT / "tutorials").glob("*.py"))]
    pairs = [pair for t in texts for pair in _imports_in(t)]
    assert len(pairs) > 50
    for module, name in pairs:
        assert hasattr(importlib.import_module(module), name) or \
            importlib.util.find_spec(f"{module}.{name}") is not None, f"from {module} import {name} fails"


def test_the_cli_docstring_and_help_come_from_one_list():
    import minicompress.cli as cli
    out = subprocess.run([sys.executable, "-m", "minicompress", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for c in COMMANDS:
        assert re.search(rf"^\s+{c.name}\s+{re.escape(c.help[:30])}", cli.__doc__, re.M), c.name
        assert c.name in out.stdout and c.help[:30] in " ".join(out.stdout.split())
    assert "{commands}" not in cli.__doc__
