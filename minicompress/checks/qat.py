"""Formula checks of fake quantization, QAT and LSQ for ``verify``."""

from __future__ import annotations

import numpy as np

from . import Outcome, check


@check("STE: ∂x̃/∂x = 1 inside, 0 outside", "Bengio et al. 2013; PyTorch fake_quantize")
def _ste():
    """q = 0.5, codes [−2, 1]: −1.2 (code −2) and 0.3 (code 1) pass the gradient; 0.9 (code 2) and −1.4 (−3) do not."""
    from ..autograd import Tensor
    from ..quant.fake_quant import fake_quantize_ste
    x = Tensor(np.array([-1.2, 0.3, 0.9, -1.4]), requires_grad=True)
    fake_quantize_ste(x, 0.5, bits=2).sum().backward()
    return Outcome([1.0, 1.0, 0.0, 0.0], x.grad.tolist(), x.grad.tolist() == [1.0, 1.0, 0.0, 0.0])


@check("LSQ ∂ŵ/∂s = round(w/s) − w/s (inside)", "Esser et al. 2019, eq. 3")
def _lsq_grad():
    """Away from rounding jumps the true slope of s·round(w/s) is round(w/s) (central differences);
    LSQ also counts round's STE term −w/s. Clamped elements get qmin or qmax in both."""
    from ..autograd import Tensor
    from ..quant.qat import lsq_quant
    w = np.array([0.33, -0.71, 0.05, 2.6, -3.9])          # s = 0.2, codes in [−7, 7]: the last two clamp
    s = 0.2
    x = Tensor(w.copy())
    lsq = []
    for i in range(len(w)):                               # the gradient of each element's ŵ_i alone
        step = Tensor(np.array([s]), requires_grad=True)
        (lsq_quant(x, step, -7, 7, grad_scale=1.0) * np.eye(len(w))[i]).sum().backward()
        lsq.append(float(step.grad[0]))
    h = 1e-7
    fd = (s + h) * np.clip(np.round(w / (s + h)), -7, 7) - (s - h) * np.clip(np.round(w / (s - h)), -7, 7)
    fd /= 2 * h
    inside = np.abs(w / s) <= 7
    expected = np.where(inside, fd - w / s, fd)
    gap = float(np.abs(np.array(lsq) - expected).max())
    return Outcome("LSQ = FD − w/s inside, FD outside", f"max gap {gap:.1e}", gap < 1e-5)
