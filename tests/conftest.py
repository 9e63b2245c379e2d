import os
import tempfile

import numpy as np
import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")
# Results the tour caches go to a throw-away folder, never the user's home (subprocesses inherit it).
os.environ.setdefault("MINICOMPRESS_CACHE", tempfile.mkdtemp(prefix="minicompress-test-cache-"))

# Property tests: enough examples to find edge cases, no wall-clock deadline (CI machines vary),
# and derandomized so that every run (and CI) tries the same examples. To hunt for new
# counterexamples, run with --hypothesis-profile explore.
settings.register_profile("minicompress", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile("minicompress")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def pytest_configure(config):
    # one marker per classroom exercise: `python -m pytest -m exercise_kd_loss` runs that exercise's checks
    from minicompress.exercises.catalog import EXERCISES
    for ex in EXERCISES:
        config.addinivalue_line("markers", f"exercise_{ex.slug}: checks of exercise {ex.number} ({ex.title})")
