"""Progress lines: one plain line per stage anywhere, a rewritten epoch line where a person watches."""

import sys

from minicompress.progress import Progress, Stages, duration, in_notebook, watched
from minicompress.text import text_width


def test_stages_print_one_plain_line_each_with_the_time_left(capsys):
    steps = Stages("tour", [1, 3])
    steps.next("teacher")
    steps.next("distillation")
    steps.finish()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("tour [1/2] teacher (") and "left" not in lines[0]   # nothing done yet to go by
    assert lines[1].startswith("tour [2/2] distillation (") and "left" in lines[1]
    assert lines[2].startswith("tour finished in ")
    assert all("\r" not in line and "\033" not in line for line in lines)        # plain: readable in a CI log


def test_progress_is_silent_unless_enabled_and_names_its_run(capsys):
    Progress(False, "teacher  ").update("epoch 1/2", 1, 2)
    assert capsys.readouterr().err == ""
    p = Progress(True, "student 3  ")
    p.update("epoch 1/4", 1, 4)
    p.close()
    err = capsys.readouterr().err
    assert err.startswith("\rstudent 3  epoch 1/4") and "left" in err and err.endswith("\n")


def test_a_notebook_counts_as_watched(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert in_notebook() and watched()
    p = Progress(True)
    assert "\033" not in p.clear                                             # notebooks print escape codes as text


def test_durations_read_as_people_read_them():
    assert duration(8.2) == "8 s" and duration(125) == "2 min 05 s" and duration(-1) == "0 s"
    assert text_width(duration(61)) == len("1 min 01 s")
