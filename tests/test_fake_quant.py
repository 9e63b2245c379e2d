"""fake_quant: forward on the grid, the straight-through gradient, errors."""

import numpy as np
import pytest

from minicompress import Tensor
from minicompress.quant import fake_quantize
from minicompress.quant.fake_quant import fake_quant


def test_forward_equals_quantize_then_dequantize(rng):
    x = rng.normal(size=(4, 6)) * 2
    assert np.array_equal(fake_quant(x, 0.1, 3, -8, 7).data, fake_quantize(x, 0.1, 4, zero_point=3))


def test_straight_through_gradient_is_one_inside_and_zero_outside():
    # q = 0.5, codes in [−2, 1]: x = −1.2 → −2 (inside, boundary), 0.3 → 1 (inside), 0.9 → 2 (clamped)
    x = Tensor(np.array([-1.2, 0.3, 0.9, -1.4]), requires_grad=True)
    y = fake_quant(x, 0.5, 0, -2, 1)
    assert y.data.tolist() == [-1.0, 0.5, 0.5, -1.0]
    (y * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 0.0]     # −1.4 → code −3 is clamped: no gradient


def test_ste_matches_central_differences_of_a_smoothed_staircase():
    """Away from the jumps, the staircase is flat; the STE replaces its slope 0 by 1 — the rule itself."""
    x = np.array([0.21, 0.37])
    h = 1e-6
    num = (fake_quant(x + h, 0.1).data - fake_quant(x - h, 0.1).data) / (2 * h)
    assert np.all(num == 0)                             # the true derivative between jumps
    t = Tensor(x, requires_grad=True)
    fake_quant(t, 0.1).sum().backward()
    assert np.all(t.grad == 1.0)                        # what the STE passes instead


def test_errors():
    with pytest.raises(ValueError, match="scale must be > 0"):
        fake_quant(np.ones(2), 0.0)
    with pytest.raises(ValueError, match="scale must be > 0"):
        fake_quant(np.ones(2), -1.0)
    with pytest.raises(ValueError, match="need qmin < qmax"):
        fake_quant(np.ones(2), 0.1, 0, 5, 5)
    with pytest.raises(TypeError, match="integer codes are already quantized"):
        fake_quant(np.array([1, 2], dtype=np.int8), 0.1)
