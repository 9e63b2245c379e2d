"""fit and evaluate: determinism, quiet by default, NaN detection, and the teacher's accuracy."""

import numpy as np
import pytest

import minicompress.functional as F
from minicompress.data import digits_split, make_moons
from minicompress.experiments import train_teacher
from minicompress.nn import MLP
from minicompress.optim import SGD, Adam
from minicompress.train import evaluate, fit


def test_training_is_deterministic_for_a_seed():
    data = make_moons(200, rng=0)
    runs = []
    for _ in range(2):
        m = MLP((2, 16, 2), rng=7)
        fit(m, data, epochs=3, rng=7)
        runs.append(m.state_dict())
    for k in runs[0]:
        assert runs[0][k].tobytes() == runs[1][k].tobytes()
    other = MLP((2, 16, 2), rng=7)
    fit(other, data, epochs=3, rng=8)                        # another batch order
    assert not np.array_equal(other.state_dict()["0.weight"], runs[0]["0.weight"])


def test_fit_learns_moons_and_is_quiet_by_default(capsys):
    data = make_moons(300, noise=0.1, rng=0)
    m = MLP((2, 32, 2), rng=0)
    history = fit(m, data, epochs=60, rng=0, test=data, optimizer=Adam(m.parameters(), lr=0.01))
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    assert history[-1]["loss"] < history[0]["loss"]
    assert evaluate(m, data) > 0.95 and history[-1]["test_acc"] == evaluate(m, data)


def test_fit_shows_one_progress_line_when_asked(capsys):
    fit(MLP((2, 4, 2), rng=0), make_moons(40, rng=0), epochs=2, verbose=True)
    err = capsys.readouterr().err
    assert "epoch   2/2" in err and "steps/s" in err and err.endswith("\n")


def test_fit_stops_on_nan_loss_and_names_the_step():
    data = make_moons(64, rng=0)
    data.X[40] = np.nan                                       # one poisoned example
    m = MLP((2, 4, 2), rng=0)
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch 1, step \d+"):
        fit(m, data, epochs=2, batch_size=16, optimizer=SGD(m.parameters(), lr=0.1))


def test_extra_targets_ride_along_to_the_loss():
    data = make_moons(32, rng=0)
    seen = []

    def loss(out, y, w):
        seen.append(len(w))
        return F.cross_entropy(out, y)

    fit(MLP((2, 4, 2), rng=0), (data.X, data.y, np.ones(32)), epochs=1, batch_size=10, loss=loss)
    assert seen == [10, 10, 10, 2]


@pytest.mark.slow
def test_the_teacher_reaches_97_5_percent_on_the_digits_split():
    split = digits_split()
    model, history = train_teacher(split, seed=0)
    acc = evaluate(model, split.test)
    assert acc >= 0.975, f"teacher test accuracy {acc:.4f} < 0.975"
    best = [r for r in history if r.get("best")]
    assert len(best) == 1 and acc == best[0]["test_acc"]              # the kept epoch is the one reported
    assert best[0]["val_loss"] == min(r["val_loss"] for r in history)


def test_keep_best_ends_at_the_epoch_with_the_lowest_validation_loss():
    from minicompress import functional as F
    from minicompress.train import predict_logits
    split = digits_split()
    model = MLP((64, 16, 10), rng=3)
    history = fit(model, split.train, epochs=40, rng=3, val=split.val, keep_best=True,
                  optimizer=Adam(model.parameters(), lr=3e-2))          # a high rate, so val loss wanders
    losses = [r["val_loss"] for r in history]
    best = int(np.argmin(losses))
    assert [i for i, r in enumerate(history) if r.get("best")] == [best]
    now = F.cross_entropy(predict_logits(model, split.val.X), split.val.y).item()
    assert now == pytest.approx(losses[best], rel=1e-6)
    assert best < len(history) - 1 or losses[-1] == min(losses)


def test_patience_stops_once_validation_stops_improving():
    split = digits_split()
    model = MLP((64, 16, 10), rng=0)
    history = fit(model, split.train, epochs=500, rng=0, val=split.val, keep_best=True, patience=5,
                  optimizer=Adam(model.parameters(), lr=3e-2))
    best = next(i for i, r in enumerate(history) if r.get("best")) + 1
    assert len(history) == best + 5 < 500
    assert all(r["val_loss"] >= history[best - 1]["val_loss"] for r in history[best:])


def test_choosing_needs_validation_images():
    model = MLP((64, 16, 10), rng=0)
    with pytest.raises(ValueError, match="pass val="):
        fit(model, digits_split().train, epochs=1, keep_best=True)
    with pytest.raises(ValueError, match="patience must be >= 1"):
        fit(model, digits_split().train, epochs=1, val=digits_split().val, patience=0)
