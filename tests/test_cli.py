"""The command line, as a person runs it."""

import os
import re
import subprocess
import sys

import pytest


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "minicompress", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_import_stays_light():
    code = ("import sys, minicompress, minicompress.nn, minicompress.train, minicompress.cli; "
            "print(sorted(m for m in ('matplotlib', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_info_reports_versions_and_jit():
    out = run("info")
    assert out.returncode == 0
    assert re.search(r"numpy\s+\d", out.stdout) and "JIT on" in out.stdout
    assert "JIT off" in run("info", env={"NUMBA_DISABLE_JIT": "1"}).stdout


def test_verify_passes_and_prints_a_table():
    out = run("verify")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "cross-entropy of equal logits" in out.stdout and "0 failed" in out.stdout


def test_tour_quick_prints_the_table_people_and_scripts_can_read(tmp_path):
    out = run("tour", "--quick", env={"MINICOMPRESS_CACHE": str(tmp_path)})   # computed here, not from a cache
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    row = next(line for line in lines if line.startswith("float32 teacher"))
    assert re.search(r"\d+\.\d%", row) and re.search(r"1\.0x", row) and "340008" in row
    assert "training" in out.stderr       # progress goes to stderr
    # every accuracy carries its 95% interval, as a script can read it
    table = lines[lines.index(next(x for x in lines if x.startswith("method"))) + 2:]
    table = table[:table.index("")]
    assert len(table) >= 25
    interval = re.compile(r"  (\d+\.\d)% (± \d+\.\d )?\[(\d+\.\d), (\d+\.\d)\]  ")
    for line in table:
        m = interval.search(line)
        assert m, line
        assert float(m.group(3)) <= float(m.group(1)) <= float(m.group(4)), line
    assert lines[0].startswith("QUICK budget: a smoke test") and "not the README's" in lines[0]
    assert lines[1].startswith("splits:") and "validation images decide" in lines[1]
    # the controls stand beside what they control, tested on the same images
    assert re.search(r"int2 weights QAT, int8 act +vs float32 teacher fine-tuned \(control\) +[+-]\d", out.stdout)
    assert re.search(r"student 64-16-10, distilled +vs student 64-16-10, label smoothing", out.stdout)
    assert re.search(r"teacher labels the rest +vs student 64-16-10, 50 labels only +[+-]\d", out.stdout)


def test_default_command_is_the_tour():
    out = run("--quick")
    assert out.returncode == 0 and "float32 teacher" in out.stdout


def test_unknown_experiment_is_a_clear_error():
    out = run("experiments", "nonsense")
    assert out.returncode != 0 and "unknown experiment 'nonsense'; choose one of ['distill', 'prune', 'qat', 'where']" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_benchmark_is_a_clear_error():
    out = run("bench", "nonsense")
    assert out.returncode != 0 and "unknown benchmark" in out.stderr + out.stdout


@pytest.mark.parametrize("cmd", [["--help"], ["figures", "--help"]])
def test_help(cmd):
    assert run(*cmd).returncode == 0


def test_taxonomy_maps_every_node_of_the_seed_diagram():
    out = run("taxonomy")
    assert out.returncode == 0
    for node in "ABCDEFGHIJKLMNO":
        assert f"\n{node}    " in out.stdout
    assert "quant.to_fixed" in out.stdout and "distill.multi_teacher_targets" in out.stdout


def test_second_tour_run_uses_the_cache(tmp_path):
    env = {"MINICOMPRESS_CACHE": str(tmp_path)}
    first = run("tour", "--quick", env=env)
    second = run("tour", "--quick", env=env)
    assert first.returncode == second.returncode == 0
    # the same table, except the infer ms column: it is measured again on every run, never cached
    timing = re.compile(r"(\d\.\dx) +\d+\.\d\d  ")
    assert timing.search(first.stdout)
    assert "from the cache" in second.stderr and timing.sub(r"\1 ms  ", first.stdout) == timing.sub(r"\1 ms  ",
                                                                                                  second.stdout)
    assert "stage" not in second.stderr and "[1/" not in second.stderr


def test_seed_prints_the_ledger_filtered_by_status_and_the_glossary():
    out = run("seed")
    assert out.returncode == 0, out.stderr
    total = re.search(r"^(\d+) items: ", out.stdout, re.M)
    assert total and int(total.group(1)) >= 80
    wrong = run("seed", "--status", "wrong,misleading")
    assert wrong.returncode == 0 and "verify row" in wrong.stdout
    assert re.search(r"^\d+ items: \d+ wrong, \d+ misleading$", wrong.stdout, re.M)
    assert "197" in run("seed", "--section", "§4.3").stdout
    bad = run("seed", "--status", "wrongish")
    assert bad.returncode != 0 and "unknown status 'wrongish'" in bad.stderr and "Traceback" not in bad.stderr
    glossary = run("seed", "--glossary")
    assert "量化量化" in glossary.stdout and "garbled" in glossary.stdout
