import os

import numpy as np
import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

# Property tests: enough examples to find edge cases, no wall-clock deadline (CI machines vary).
settings.register_profile("minicompress", max_examples=60, deadline=None)
settings.load_profile("minicompress")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
