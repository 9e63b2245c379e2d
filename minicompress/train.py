"""Training loop: ``fit``, ``evaluate``, ``predict`` and a one-line progress display.

``fit`` is the ordinary loop every later method reuses::

    for each epoch, for each shuffled minibatch:
        loss = loss_fn(model(x), *targets);  zero_grad;  loss.backward();  step
"""

from __future__ import annotations

import time

import numpy as np

from . import functional as F
from .autograd import Tensor, no_grad
from .data import Dataset, batches
from .nn import as_generator
from .optim import Adam
from .progress import Progress, watched


def predict_logits(model, X, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs for ``X`` as an ndarray, without recording a graph."""
    model_was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            outs = [model(Tensor(X[i:i + batch_size])).data for i in range(0, len(X), batch_size)]
    finally:
        if model_was_training:
            model.train()
    return np.concatenate(outs) if outs else np.zeros((0,))


def evaluate(model, data, batch_size: int = 1024) -> float:
    """Accuracy in [0, 1]: the share of examples whose arg-max output equals the label."""
    X, y = data[0], data[1]
    if len(y) == 0:
        raise ValueError("evaluate got an empty dataset: accuracy of nothing is undefined")
    return float(np.mean(predict_logits(model, X, batch_size).argmax(axis=1) == y))


def correct_matrix(models, data) -> np.ndarray:
    """(models, examples) int64: 1 where each model's prediction equals the label.

    One row per model (per random seed, say), so ``stats`` can give the
    accuracy its interval and pair two rows image by image. A model with a
    ``predict`` method (the integer-only MLP) is asked for its classes; any
    other is run through ``predict_logits`` and arg-maxed.
    """
    X, y = data[0], data[1]
    rows = [np.asarray(m.predict(X)) if hasattr(m, "predict") else predict_logits(m, X).argmax(axis=1)
            for m in models]
    return np.array([r == y for r in rows], dtype=np.int64).reshape(len(rows), len(y))


def time_inference(predict, X, repeats: int = 3) -> float:
    """Milliseconds for ``predict(X)`` to classify all of ``X`` (best of ``repeats``)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        predict(X)
        best = min(best, time.perf_counter() - start)
    return 1e3 * best


def fit(model, train, epochs: int = 20, loss=F.cross_entropy, optimizer=None, batch_size: int = 64,
        rng=0, test=None, verbose=None, label: str = "", on_epoch=None, val=None, keep_best: bool = False,
        patience: int | None = None) -> list:
    """Train ``model`` on ``train`` and return the history, one dict per epoch.

    Parameters
    ----------
    train : Dataset or tuple of arrays
        ``(X, *targets)``; each minibatch calls ``loss(model(x), *targets)``.
        With ``(X, y)`` integer labels the train accuracy is reported too.
        Extra targets (teacher logits for distillation, say) ride along.
    optimizer : Optimizer, optional
        Defaults to ``Adam(model.parameters(), lr=1e-3)``.
    rng : int or Generator
        Draws the minibatch order, so a seed makes training repeatable.
    test : Dataset, optional
        Evaluated after every epoch.
    verbose : bool, optional
        Show the progress line on stderr; by default only on a terminal, so
        tests and pipes stay quiet.
    on_epoch : callable, optional
        Called as ``on_epoch(epoch, record)`` after every epoch.
    val : Dataset, optional
        Validation images: ``val_loss`` (cross-entropy on their labels) and
        ``val_acc`` are recorded after every epoch. This is the set that
        decides; ``test`` only reports.
    keep_best : bool
        End with the parameters of the epoch with the lowest ``val_loss``
        (early stopping's checkpoint); that epoch's record gets ``"best": True``.
    patience : int, optional
        Stop once ``val_loss`` has not improved for this many epochs.

    Raises
    ------
    FloatingPointError
        When the loss becomes NaN or infinite, naming the epoch and step.
    """
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    if (keep_best or patience is not None) and val is None:
        raise ValueError("keep_best and patience choose by the validation loss: pass val=(X, y) held-out images")
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1 epoch, got {patience}")
    arrays = tuple(train)
    g = as_generator(rng)
    optimizer = optimizer or Adam(model.parameters(), lr=1e-3)
    has_labels = len(arrays) >= 2 and np.asarray(arrays[1]).dtype.kind in "iu"
    progress = Progress(watched() if verbose is None else verbose, label)
    history, step = [], 0
    best, best_epoch, best_state = float("inf"), 0, None
    for epoch in range(1, epochs + 1):
        model.train()
        start, total, count, epoch_steps = time.perf_counter(), 0.0, 0, 0
        for batch in batches(arrays, batch_size, rng=g):
            out = model(Tensor(batch[0]))
            value = loss(out, *batch[1:])
            step += 1
            epoch_steps += 1
            if not np.isfinite(value.data):
                raise FloatingPointError(
                    f"loss became {value.item()} at epoch {epoch}, step {step}: training diverged "
                    "(try a smaller learning rate, or check the inputs for NaN)")
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            total += value.item() * len(batch[0])
            count += len(batch[0])
        seconds = time.perf_counter() - start
        record = {"epoch": epoch, "loss": total / max(count, 1),
                  "steps_per_s": epoch_steps / max(seconds, 1e-9)}
        if has_labels:
            record["train_acc"] = evaluate(model, Dataset(arrays[0], arrays[1]))
        if test is not None:
            record["test_acc"] = evaluate(model, test)
        if val is not None:
            z = predict_logits(model, val[0])
            record["val_loss"] = F.cross_entropy(z, val[1]).item()
            record["val_acc"] = float(np.mean(z.argmax(axis=1) == val[1]))
            if record["val_loss"] < best:
                best, best_epoch = record["val_loss"], epoch
                if keep_best:
                    best_state = [p.data.copy() for p in model.parameters()]
        history.append(record)
        progress.update(format_record(record, epochs), epoch, epochs)
        if on_epoch is not None:
            on_epoch(epoch, record)
        if patience is not None and epoch - best_epoch >= patience:
            break
    progress.close()
    if best_state is not None:
        for p, saved in zip(model.parameters(), best_state):
            p.data[...] = saved
        history[best_epoch - 1]["best"] = True
    model.eval()
    return history


def format_record(r: dict, epochs: int) -> str:
    parts = [f"epoch {r['epoch']:>3}/{epochs}", f"loss {r['loss']:.4f}"]
    if "train_acc" in r:
        parts.append(f"train {100 * r['train_acc']:.1f}%")
    if "val_acc" in r:
        parts.append(f"val {100 * r['val_acc']:.1f}%")
    if "test_acc" in r:
        parts.append(f"test {100 * r['test_acc']:.1f}%")
    parts.append(f"{r['steps_per_s']:.0f} steps/s")
    return "  ".join(parts)
