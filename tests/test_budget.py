"""The budget: the one object that says how much work a run may do."""

import pytest

from minicompress.experiments import FULL, QUICK


def test_quick_is_a_smaller_value_of_the_same_object():
    assert type(QUICK) is type(FULL)
    for field in ("teacher_epochs", "qat_epochs", "student_epochs", "prune_epochs", "share_epochs"):
        assert 0 < getattr(QUICK, field) < getattr(FULL, field), field
    assert len(QUICK.seeds("qat")) < len(FULL.seeds("qat")) and list(FULL.seeds("student")) == [0, 1, 2, 3, 4]


def test_a_changed_budget_is_another_cache_key():
    assert FULL.key() != QUICK.key() and FULL.but(student_seeds=10).key() != FULL.key()
    assert FULL.but(student_seeds=5).key() == FULL.key() and FULL.key().startswith("full-")
    with pytest.raises(ValueError, match="unknown kind of run 'teacher'"):
        FULL.seeds("teacher")
