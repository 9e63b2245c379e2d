"""Classroom exercises generated from the reference code, and an autograder.

The reference functions mark the lines a student writes with
``# --- exercise: <slug> ---`` ... ``# --- end exercise ---``. ``generate``
copies each function into a student file with those lines replaced by
``raise NotImplementedError("Exercise N: ...")``, so code and exercises have
one source of truth. ``check`` grades a student's file on golden and random
cases against the reference, and names the typical mistakes it recognises.

    catalog.py   the exercises: reference functions, cases, known mistakes
    generate.py  writing the student copies and their instructions
    grade.py     running the cases and explaining each result
"""
