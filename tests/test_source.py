"""The tutorials' "Read the code" lines: every reference resolves, and the line shown is the definition's."""

import re
from pathlib import Path

import pytest

from minicompress.source import resolve, sources, where

ROOT = Path(__file__).resolve().parents[1]


def test_where_names_the_file_and_the_line_of_the_definition():
    from minicompress.quant import quantize_model
    text = where(quantize_model)
    path, line = re.match(r"(\S+):(\d+)  quantize_model$", text).groups()
    assert path == "minicompress/quant/model.py"
    assert (ROOT / path).read_text(encoding="utf-8").splitlines()[int(line) - 1].startswith("def quantize_model(")


def test_a_numba_kernel_points_to_its_python_source():
    assert where(resolve("minicompress.kernels.requant:_requantize_scalar")).startswith("minicompress/kernels/requant.py:")


def test_every_reference_in_the_tutorials_resolves():
    refs = []
    for path in sorted((ROOT / "tutorials").glob("*.py")):
        for block in re.findall(r"print\(sources\((.*?)\)\)", path.read_text(encoding="utf-8"), re.S):
            refs += re.findall(r'"([\w.]+:[\w.]+)"', block)
    assert len(refs) >= 30
    assert len(sources(*refs).splitlines()) == len(refs)


def test_a_wrong_reference_is_an_error():
    with pytest.raises(AttributeError):
        resolve("minicompress.quant:no_such_function")
