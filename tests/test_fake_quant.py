"""fake_quantize (NumPy) and fake_quantize_ste (autograd): one signature, the same values, the STE gradient, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minicompress import Tensor
from minicompress.quant import fake_quantize, fake_quantize_ste, quantize


@given(st.integers(2, 8), st.booleans(), st.sampled_from(["half_away", "half_even", "floor"]), st.integers(-3, 3))
def test_the_two_fake_quantizers_give_the_same_values(bits, narrow, rounding, z):
    from minicompress.quant.uniform import qrange
    lo, hi = qrange(bits, True, narrow)
    z = int(np.clip(z, lo, hi))                       # a zero point is one of the codes
    x = np.random.default_rng(bits).normal(size=(4, 6)) * 2
    kw = dict(bits=bits, narrow=narrow, rounding=rounding, zero_point=z)
    assert np.array_equal(fake_quantize_ste(x, 0.1, **kw).data, fake_quantize(x, 0.1, **kw))


def test_per_channel_steps_along_an_axis(rng):
    w = rng.normal(size=(3, 5))
    q = np.array([0.1, 0.2, 0.4])
    by_rows = np.stack([fake_quantize(w[i], q[i], 4) for i in range(3)])
    assert np.array_equal(fake_quantize(w, q, 4, axis=0), by_rows)
    assert np.array_equal(fake_quantize_ste(w, q, 4, axis=0).data, by_rows)


def test_forward_equals_quantize_then_times_q():
    # codes of [0.26, −1.2, 0.04] at q = 0.1, 4 bits, z = 3: 3 + 3 = 6, −12 + 3 = −9 → −8 (clamped), 0 + 3 = 3
    x = np.array([0.26, -1.2, 0.04])
    assert quantize(x, 0.1, 4, zero_point=3).tolist() == [6, -8, 3]
    assert np.allclose(fake_quantize(x, 0.1, 4, zero_point=3), [0.3, -1.1, 0.0])


def test_straight_through_gradient_is_one_inside_and_zero_outside():
    # q = 0.5, 2-bit codes in [−2, 1]: −1.2 → −2 (inside, boundary), 0.3 → 1 (inside), 0.9 → 2 (clamped)
    x = Tensor(np.array([-1.2, 0.3, 0.9, -1.4]), requires_grad=True)
    y = fake_quantize_ste(x, 0.5, bits=2)
    assert y.data.tolist() == [-1.0, 0.5, 0.5, -1.0]
    (y * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 0.0]     # −1.4 → code −3 is clamped: no gradient


def test_ste_matches_central_differences_of_a_smoothed_staircase():
    """Away from the jumps, the staircase is flat; the STE replaces its slope 0 by 1 — the rule itself."""
    x = np.array([0.21, 0.37])
    h = 1e-6
    num = (fake_quantize(x + h, 0.1) - fake_quantize(x - h, 0.1)) / (2 * h)
    assert np.all(num == 0)                             # the true derivative between jumps
    t = Tensor(x, requires_grad=True)
    fake_quantize_ste(t, 0.1).sum().backward()
    assert np.all(t.grad == 1.0)                        # what the STE passes instead


def test_errors():
    for fq in (fake_quantize, fake_quantize_ste):
        with pytest.raises(ValueError, match="q must be > 0"):
            fq(np.ones(2), 0.0)
        with pytest.raises(ValueError, match="q must be > 0"):
            fq(np.ones(2), -1.0)
        with pytest.raises(ValueError, match="bits must be an integer"):
            fq(np.ones(2), 0.1, bits=0)
    with pytest.raises(TypeError, match="integer codes are already quantized"):
        fake_quantize_ste(np.array([1, 2], dtype=np.int8), 0.1)
