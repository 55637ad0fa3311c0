"""The exercise checker: right, not yet, or unanswered, and one line printed for each."""

from k8slab.lab.exercises import RIGHT, UNANSWERED, WRONG, check, verdict


def test_verdicts():
    assert verdict(2, 2) == RIGHT
    assert verdict(3, 2) == WRONG
    assert verdict(None, 2) == UNANSWERED


def test_a_predicate_accepts_every_right_answer():
    def covers(span):
        return span[0] <= 0.3 and 0.9 <= span[1]

    assert verdict((0.1, 1.0), covers) == RIGHT
    assert verdict((0.5, 1.0), covers) == WRONG
    assert verdict(None, covers) == UNANSWERED


def test_check_prints_one_line_with_why_or_hint(capsys):
    assert check("Exercise 1", 2, 2, why="two of five may fail.") == RIGHT
    assert check("Exercise 1", 3, 2, hint="a majority of 5 is 3.") == WRONG
    assert check("Exercise 1", None, 2) == UNANSWERED
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Exercise 1: right — 2. two of five may fail.",
        "Exercise 1: not yet — you said 3. Hint: a majority of 5 is 3.",
        "Exercise 1: no answer yet — set the prediction above, then run this cell again.",
    ]
