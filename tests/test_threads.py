"""Thread choices: one BLAS thread and sleeping OpenMP threads unless told otherwise; bench busy cleans up."""

import os
import subprocess
import sys

import pytest


def child(code, **env):
    full = {**os.environ, **env}
    for k, v in env.items():
        if v is None:
            full.pop(k)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=120)


PROBE = ("import minicompress, os; from threadpoolctl import threadpool_info; "
         "print([l['num_threads'] for l in threadpool_info() if l['user_api'] == 'blas'], "
         "os.environ.get('GOMP_SPINCOUNT'), os.environ.get('OMP_WAIT_POLICY'))")


def test_import_gives_the_blas_one_thread_and_lets_openmp_sleep():
    out = child(PROBE, MINICOMPRESS_BLAS_THREADS=None, OMP_WAIT_POLICY=None, GOMP_SPINCOUNT=None)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("]")[0].strip("[").split(",")[0] == "1" and out.stdout.strip().endswith("30000 PASSIVE")


def test_the_user_can_keep_the_libraries_defaults_or_choose_a_count():
    keep = child(PROBE, MINICOMPRESS_BLAS_THREADS="keep", OMP_WAIT_POLICY=None, GOMP_SPINCOUNT=None)
    assert keep.stdout.strip().endswith("None None")           # OpenMP left alone
    two = child(PROBE, MINICOMPRESS_BLAS_THREADS="2", OMP_WAIT_POLICY="ACTIVE")
    assert two.stdout.startswith("[2") and two.stdout.strip().endswith("ACTIVE")   # the user's policy is kept


@pytest.mark.parametrize("bad", ["x", "0", "-3"])
def test_a_bad_thread_count_is_a_clear_error(bad):
    out = child("import minicompress", MINICOMPRESS_BLAS_THREADS=bad)
    assert out.returncode != 0 and "MINICOMPRESS_BLAS_THREADS" in out.stderr and "'keep'" in out.stderr


def test_blas_threads_restores_the_count():
    from threadpoolctl import threadpool_info

    import minicompress  # noqa: F401
    from minicompress.threads import blas_threads
    count = lambda: [x["num_threads"] for x in threadpool_info() if x["user_api"] == "blas"]  # noqa: E731
    before = count()
    with blas_threads(2):
        assert all(n == 2 for n in count())
    assert count() == before


def test_info_names_the_blas_and_numba_threads():
    out = subprocess.run([sys.executable, "-m", "minicompress", "info"], capture_output=True, text=True)
    assert "BLAS" in out.stdout and "thread(s)" in out.stdout and "OMP_WAIT_POLICY" in out.stdout


def test_busy_times_stops_the_processes_it_started():
    from minicompress.bench import busy_times
    before = set(os.listdir("/proc")) if os.path.isdir("/proc") else None
    idle, loaded = busy_times([sys.executable, "-c", "pass"], dict(os.environ))
    assert idle > 0 and loaded > 0
    if before is not None:
        spinning = []
        for p in set(os.listdir("/proc")) - before:
            try:
                if p.isdigit() and "while True" in open(f"/proc/{p}/cmdline", errors="replace").read():
                    spinning.append(p)
            except OSError:            # a process that ended while we looked
                pass
        assert spinning == []


def test_bench_busy_outside_the_repository_says_where_to_run_it(tmp_path):
    out = subprocess.run([sys.executable, "-m", "minicompress", "bench", "busy", "--quick"], capture_output=True,
                         text=True, cwd=tmp_path)
    assert out.returncode != 0 and "repository root" in out.stderr
