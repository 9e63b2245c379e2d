"""Knowledge distillation: a small student learns from a big teacher's outputs.

Every loss takes ``(student_logits, teacher_logits, ...)``, input then target
as PyTorch's losses do, with ``T`` and ``alpha`` keyword-only.

    fitnets.py       hint (feature) distillation through a learned regressor
    kd_loss.py       Hinton et al.'s α·T²·KL(p_t ‖ p_s) + (1 − α)·CE and its gradient
    seed_losses.py   the seed's L_g and L_s (§4.1), sums of squares, as written
    soft_labels.py   p = softmax(z/T), hard labels, checks on probability targets
    train.py         distill(): the KD loss inside the ordinary fit loop; FitNets' hint stage
    variants.py      hard-, soft-, mixed-label and multi-teacher distillation
"""

from .fitnets import HintRegressor, hidden, hint_loss
from .kd_loss import check_alpha, kd_gradient, kd_loss, kl_divergence, soft_cross_entropy
from .seed_losses import seed_model_distillation_loss, seed_parameter_distillation_loss
from .soft_labels import check_probabilities, hard_labels, soft_labels
from .train import distill, train_hints
from .variants import hard_label_loss, mixed_label_loss, mixed_targets, multi_teacher_targets

__all__ = ["HintRegressor", "hidden", "hint_loss", "check_alpha", "kd_gradient", "kd_loss", "kl_divergence",
           "soft_cross_entropy", "seed_model_distillation_loss", "seed_parameter_distillation_loss",
           "check_probabilities", "hard_labels", "soft_labels", "distill", "train_hints", "hard_label_loss",
           "mixed_label_loss", "mixed_targets", "multi_teacher_targets"]
