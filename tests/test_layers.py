"""The layers are executable: every import of every file obeys the rules of minicompress/layers.py.

The test reads the source itself (imports inside functions included), and is
shown to fail on violations planted in a temporary copy of the package.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import minicompress
from minicompress.layers import LAYERS, dependencies, scan, violations

PACKAGE = Path(minicompress.__file__).parent


def test_the_package_obeys_its_layers():
    assert violations() == []


def test_every_file_belongs_to_a_layer():
    units = {Path(i.file).parts[0].removesuffix(".py") for i in scan()}
    known = {u for us in LAYERS.values() for u in us}
    assert units <= known, units - known


def test_imports_inside_functions_are_seen():
    # plots import matplotlib only inside functions; the scanner must see lazy imports too
    lazy = [i for i in scan() if i.file == "plots/__init__.py" and i.target.startswith("matplotlib")]
    assert lazy, "the scanner missed an import inside a function"


@pytest.fixture
def copy(tmp_path):
    dst = tmp_path / "minicompress"
    shutil.copytree(PACKAGE, dst, ignore=shutil.ignore_patterns("__pycache__", "*.csv.gz"))
    return dst


def _plant(path: Path, code: str):
    path.write_text(path.read_text() + f"\n\ndef _planted():\n    {code}\n")


@pytest.mark.parametrize("file, code, why", [
    ("quant/rounding.py", "from ..tour import run", "may not import the stories above it"),
    ("distill/kd_loss.py", "from ..experiments.teacher import shared_teacher", "may not import the stories"),
    ("prune/magnitude.py", "import minicompress.cli", "may not import the commands above it"),
    ("integer/mlp.py", "from ..plots import pyplot", "may not import the stories"),
    ("distill/train.py", "from ..bench import run", "may not import the stories"),
    ("quant/model.py", "from ..integer import IntegerMLP", "quant sits below integer"),
    ("distill/variants.py", "from ..prune import prune", "may not import its sibling prune"),
    ("kernels/pack.py", "import matplotlib", "kernels use only numpy, numba"),
    ("kernels/gemm.py", "from ..nn import MLP", "kernels use only numpy, numba"),
    ("nn.py", "from .quant import quantize", "library module may not import the methods"),
])
def test_a_planted_violation_fails(copy, file, code, why):
    assert violations(copy) == []
    _plant(copy / file, code)
    bad = violations(copy)
    assert len(bad) == 1 and bad[0].startswith(file) and why in bad[0], bad


def test_info_layers_prints_each_package_with_what_it_imports():
    out = subprocess.run([sys.executable, "-m", "minicompress", "info", "--layers"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    deps = dependencies()
    for line in ("quant/", "integer/", "kernels/", "tour/", "checks/"):
        assert line in out.stdout
    assert re.search(rf"integer/\s+imports {', '.join(deps['integer'])}\n", out.stdout)
    assert deps["integer"] == ["kernels", "nn", "quant", "train"] and deps["kernels"] == []
    assert "0 imports break a layer rule" in out.stdout
