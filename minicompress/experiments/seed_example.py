"""The seed's code example (seed §5.2), rewritten so that it runs and does what it evidently means.

The listing wants: a small float model; a quantized copy of it (weights
multiplied by 10 and rounded, i.e. ŵ = round(w/q) with q = 0.1); and
distillation that trains the quantized copy towards the float model's soft
labels. As printed, it cannot run, and if it could it would not distil.
``SEED_CODE_DEFECTS`` lists each defect and what this rewrite does instead;
``run_seed_example`` is the rewrite.

Reading of the seed's numbers: fc1 gets the 2×3 weights [[1.2, 2.5, 3.7],
[−1.3, −2.7, −3.1]] and biases [0.5, −0.5], so it maps 3 inputs to 2 hidden
units. fc2 must map those 2 units to the 3 classes of the soft label
[0.9, 0.1, 0]; the seed gives it 3 weights [0.8, 0.2, 0.1] and bias 0, which
we read as the weights from hidden unit 1, with hidden unit 2 getting their
negatives (our choice; the seed does not say).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..distill.kd_loss import kd_loss
from ..distill.soft_labels import soft_labels
from ..nn import Linear, Module
from ..optim import Adam
from ..quant.fake_quant import fake_quantize_ste
from ..quant.uniform import quantize

SEED_CODE_DEFECTS = [
    ("fc1 = nn.Linear(10, 3) expects a (3, 10) weight; the state dict gives a 2×3 matrix",
     "fc1 is Linear(3, 2), the shape the given weights actually have"),
    ("fc2 = nn.Linear(3, 1) expects a (1, 3) weight and bias of shape (1,); the state dict gives "
     "shape (3,) and an integer tensor([0]), so load_state_dict raises",
     "fc2 is Linear(2, 3), mapping the 2 hidden units to the 3 classes of the soft label"),
    ("the model is fed torch.randn(1, 10), 10 features for weights that take 3",
     "inputs have 3 features"),
    ("the quantized copy uses the codes [12, 25, 37] as if they were weights, without the step "
     "q = 0.1, so every output is about 10× too large",
     "weights are quantized to codes and used as q·ŵ (fake quantization), so the copy computes "
     "what the float model computes up to rounding"),
    ("fc2 of the quantized copy is left in float while fc1 is quantized",
     "both layers are quantized"),
    ("soft_labels = tensor([0.9, 0.1, 0]) is a fixed constant, not the big model's normalised output",
     "the soft labels are softmax(z_teacher / T) of the float model on the same inputs"),
    ("torch.argmax(soft_labels, dim=1) on a 1-D tensor raises (there is no dim 1)",
     "hard labels are the argmax over the class axis of (batch, classes) outputs"),
    ("loss_g = CrossEntropyLoss()(soft_labels, hard_labels) compares two constants: it contains no "
     "model output, so its gradient is zero and it trains nothing",
     "no such term; the loss is Hinton's KD loss on the student's outputs"),
    ("loss_s = MSELoss()(quantized_output, soft_labels) compares a (1, 1) output with 3 "
     "probabilities (broadcast silently)",
     "the student's (batch, 3) logits are compared with (batch, 3) soft labels; shapes must match"),
    ("teacher and student each get their own torch.randn input, so their outputs are unrelated, and "
     "the teacher's output is never used in the loss",
     "both models see the same batch, and the teacher's output is the target"),
    ("the optimizer moves the quantized model's weights off the quantization grid (12 becomes "
     "11.999), so after training it is no longer quantized",
     "float shadow weights are trained through the straight-through estimator; the model always "
     "computes with weights on the grid q·ŵ"),
    ("no temperature: distillation's soft labels at T = 1 carry little dark knowledge",
     "temperature T (default 2) in the soft labels and the T² factor in the loss"),
]

Q = 0.1
FC1_W = np.array([[1.2, 2.5, 3.7], [-1.3, -2.7, -3.1]])
FC1_B = np.array([0.5, -0.5])
FC2_W = np.array([[0.8, -0.8], [0.2, -0.2], [0.1, -0.1]])
FC2_B = np.zeros(3)


class SeedModel(Module):
    """The seed's SimpleModel with consistent shapes: Linear(3, 2) → Linear(2, 3), no activation (as printed)."""

    def __init__(self, quantized: bool = False, q: float = Q):
        super().__init__()
        self.fc1, self.fc2 = Linear(3, 2, dtype=np.float64), Linear(2, 3, dtype=np.float64)
        self.fc1.load_state_dict({"weight": FC1_W, "bias": FC1_B})
        self.fc2.load_state_dict({"weight": FC2_W, "bias": FC2_B})
        self.quantized, self.q = quantized, q

    def _w(self, p):
        # Quantized copy: the layer computes with q·round(w/q), 16-bit codes, gradient by STE.
        return fake_quantize_ste(p, self.q, bits=16) if self.quantized else p

    def forward(self, x):
        from .. import functional as F
        h = F.linear(x, self._w(self.fc1.weight), self._w(self.fc1.bias))
        return F.linear(h, self._w(self.fc2.weight), self._w(self.fc2.bias))

    def codes(self) -> dict:
        """The integer codes ŵ = round(w/q) of every parameter (what a quantized model stores)."""
        return {n: quantize(p.data, self.q) for n, p in self.named_parameters()}


def run_seed_example(steps: int = 300, T: float = 2.0, lr: float = 1e-2, batch: int = 16, seed: int = 0,
                     q: float = 0.5) -> dict:
    """Distil the quantized copy towards the float model's soft labels; returns what changed.

    subtle: with the seed's own step q = 0.1 every one of its weights is
    already on the grid (1.2 = 12·0.1, ...), so the quantized copy *is* the
    float model and there is nothing to distil (the loss is 0 from the first
    step). The default q = 0.5 makes quantization change the model, so the
    distillation has something to repair.
    """
    rng = np.random.default_rng(seed)
    teacher, student = SeedModel(), SeedModel(quantized=True, q=q)
    X_eval = rng.normal(size=(256, 3))
    before = float(np.abs(soft_labels(student(Tensor(X_eval)).data, T) - soft_labels(teacher(Tensor(X_eval)).data, T)).max())
    codes_before = student.codes()
    opt = Adam(student.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        x = Tensor(rng.normal(size=(batch, 3)))                  # one batch for both models
        target = teacher(x).data
        loss = kd_loss(student(x), target, T=T, alpha=1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    after = float(np.abs(soft_labels(student(Tensor(X_eval)).data, T) - soft_labels(teacher(Tensor(X_eval)).data, T)).max())
    return {"codes_before": codes_before, "codes_after": student.codes(), "losses": np.array(losses),
            "max_prob_gap_before": before, "max_prob_gap_after": after,
            "teacher": teacher, "student": student}


def run_literal_listing(teacher: Module | None = None, steps: int = 50, lr: float = 1e-3, seed: int = 0) -> dict:
    """The listing's training loop as printed, with only the shape fixes it needs to run at all.

    It keeps everything else: the "quantized" copy holds the codes as its
    weights (fc1 = [[12, 25, 37], [−13, −27, −31]], bias [5, −5]) with fc2
    left in float; the soft label is the constant [0.9, 0.1, 0]; ``loss_g``
    is the cross-entropy of that constant against its own arg-max; ``loss_s``
    is the MSE of the copy's output against the constant; teacher and
    student each get their own random input, and Adam(lr = 1e-3) steps.

    Returns the student's final parameters, the ``loss_g`` values, whether
    ``loss_g`` reaches any parameter in the autograd graph, and the ratio of
    the copy's outputs to the float model's before training. Pass a different
    ``teacher`` to see that nothing the student learns depends on it.
    """
    from .. import functional as F
    rng = np.random.default_rng(seed)
    teacher = teacher if teacher is not None else SeedModel()
    student = SeedModel()
    student.fc1.load_state_dict({"weight": quantize(FC1_W, Q).astype(float),   # the codes, used as weights
                                 "bias": quantize(FC1_B, Q).astype(float)})
    x0 = rng.normal(size=(64, 3))
    ratio = student(Tensor(x0)).data / SeedModel()(Tensor(x0)).data
    soft = np.array([[0.9, 0.1, 0.0]])
    hard = soft.argmax(axis=1)
    opt = Adam(student.parameters(), lr=lr)
    loss_g_values, reaches = [], False
    for _ in range(steps):
        teacher(Tensor(rng.normal(size=(1, 3))))               # model_output: computed, never used
        out = student(Tensor(rng.normal(size=(1, 3))))         # its own random input
        loss_g = F.cross_entropy(Tensor(soft), hard)           # two constants
        reaches = reaches or loss_g.requires_grad              # False: no parameter is in its graph
        loss = loss_g + F.mse(out, Tensor(soft), reduction="mean")
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_g_values.append(loss_g.item())
    return {"params": [p.data.copy() for p in student.parameters()], "loss_g": np.array(loss_g_values),
            "loss_g_reaches_parameters": reaches, "output_ratio": ratio}
