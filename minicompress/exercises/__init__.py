"""Classroom exercises generated from the reference code, and an autograder.

The reference functions mark the lines a student writes with
``# --- exercise: <slug> ---`` ... ``# --- end exercise ---``. ``generate``
copies each function into a student file with those lines replaced by
``raise NotImplementedError("Exercise N: ...")``, so code and exercises have
one source of truth. ``check`` grades a student's file on golden and random
cases against the reference, and names the typical mistakes it recognises.

    cases.py     each exercise's cases, where their answers come from, and the typical mistakes (1-11)
    cases_compress.py  the same for exercises 12-17: how to round, where to compress
    catalog.py   the exercises: which reference code each asks for, how the grader calls it
    generate.py  writing the student copies and their instructions
    grade.py     running the cases and explaining each result
    roster.py    grading by file name, a folder, a class into a CSV roster
    sandbox.py   running a student's file in a child process, with time, memory and output limits
"""
