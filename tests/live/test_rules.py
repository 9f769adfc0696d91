"""The pure rules of live rooms: word clouds, tallies, question order, ballots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from summit.live import rules
from summit.live.rules import Ballot, LiveError, QuestionView


def test_word_cloud_folds_case_and_accents_and_drops_stop_words():
    answers = ["Anxious", "anxious!", "ANXIOUS about the future", "Curieux", "curieux et inquiet",
               "l'école change", "École", "Écoles", "the and of", "Inquiet, très inquiet"]
    cloud = dict(rules.word_cloud(answers))
    assert cloud["anxious"] == 3
    assert cloud["curieux"] == 2
    assert cloud["inquiet"] == 2  # counted once per answer, however often it is repeated
    assert cloud["ecole"] == 2  # "l'école" and "École": elision dropped, accent folded
    assert "the" not in cloud and "et" not in cloud and "tres" not in cloud and "l" not in cloud
    assert "about" not in cloud
    assert rules.word_cloud([]) == []


def test_word_cloud_order_and_sizes():
    cloud = rules.word_cloud(["hope", "fear", "hope", "change", "fear", "hope"])
    assert cloud == [("hope", 3), ("fear", 2), ("change", 1)]
    sizes = rules.cloud_sizes(cloud)
    assert sizes[0] == ("hope", 3, 6) and sizes[-1][2] < sizes[0][2]


def test_tally_single_multiple_scale_text():
    t = rules.tally("single", [Ballot((1,)), Ballot((2,)), Ballot((1,))])
    assert t.votes == 3 and t.counts == {1: 2, 2: 1} and t.percent(1) == 67
    t = rules.tally("multiple", [Ballot((1, 2)), Ballot((2,))])
    assert t.votes == 2 and t.counts == {1: 1, 2: 2} and t.percent(2) == 100
    t = rules.tally("scale", [Ballot(value=5), Ballot(value=4), Ballot(value=4)])
    assert t.counts == {5: 1, 4: 2} and t.average == 4.3
    t = rules.tally("text", [Ballot(text="Hope"), Ballot(text="hopé")])
    assert t.words == [("hope", 2)]
    assert rules.tally("scale", []).average is None and rules.tally("single", []).percent(1) == 0


@pytest.mark.parametrize(("kind", "options", "value", "text", "message"), [
    ("single", [], None, None, "Choose an answer first."),
    ("single", ["1", "2"], None, None, "Choose one answer."),
    ("single", ["99"], None, None, "That choice is not one of this poll's."),
    ("multiple", ["x"], None, None, "That choice is not one of this poll's."),
    ("scale", [], "6", None, "Choose a number from 1 to 5."),
    ("scale", [], "abc", None, "Choose a number from 1 to 5."),
    ("text", [], None, "   ", "Write a word or two first."),
    ("text", [], None, "x" * 61, "Keep it short: a word or two."),
    ("nonsense", [], None, None, "This poll cannot be answered."),
])
def test_bad_ballots_are_refused_in_words(kind, options, value, text, message):
    with pytest.raises(LiveError, match=message.replace(".", r"\.")):
        rules.parse_vote(kind, [1, 2], options, value, text)


def test_good_ballots():
    assert rules.parse_vote("single", [1, 2], ["2"], None, None) == Ballot((2,))
    assert rules.parse_vote("multiple", [1, 2], ["2", "1", "2"], None, None) == Ballot((1, 2))
    assert rules.parse_vote("scale", [], [], "3", None) == Ballot(value=3)
    assert rules.parse_vote("text", [], [], None, "  Hopeful   future ") == Ballot(
        text="Hopeful future")


def test_questions_are_checked():
    with pytest.raises(LiveError):
        rules.clean_question("   ")
    with pytest.raises(LiveError):
        rules.clean_question("x" * 10_000)
    assert rules.clean_question("  What   about\nparents? ") == "What about parents?"


def test_question_order():
    t0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
    q = lambda i, status="visible", pinned=False, up=0, minutes=0: QuestionView(  # noqa: E731
        i, status, pinned, up, t0 + timedelta(minutes=minutes))
    questions = [q(1, up=2, minutes=1), q(2, up=5, minutes=2), q(3, up=2, minutes=0),
                 q(4, status="answered", up=9, minutes=3), q(5, pinned=True, minutes=4),
                 q(6, status="hidden", up=50), q(7, status="pending")]
    assert [x.id for x in rules.order_questions(questions)] == [5, 2, 3, 1, 4]
    assert [x.id for x in rules.order_questions(questions, by="new")] == [5, 2, 1, 3, 4]
    assert [x.id for x in rules.moderation_order(questions)] == [7, 5, 2, 3, 1, 4, 6]


def test_results_visibility():
    assert rules.results_visible("voted", "open", voted=True)
    assert not rules.results_visible("voted", "open", voted=False)
    assert not rules.results_visible("closed", "open", voted=True)
    assert rules.results_visible("closed", "closed", voted=False)
    assert rules.results_visible("closed", "open", voted=False, staff=True)


def test_polls_are_checked():
    assert rules.clean_poll("single", " Ready? ", ["Yes", "", " No "], "voted") == (
        "Ready?", ["Yes", "No"])
    assert rules.clean_poll("text", "One word", ["ignored"], "closed") == ("One word", [])
    for bad in (("single", "Q", ["Only one"], "voted"), ("single", "Q", ["A", "a"], "voted"),
                ("single", "", ["A", "B"], "voted"), ("odd", "Q", [], "voted"),
                ("scale", "Q", [], "never")):
        with pytest.raises(LiveError):
            rules.clean_poll(*bad)


def test_grouped_ballots_tally_as_the_ballots_one_by_one():
    """The database sends identical ballots grouped with their count; the tally is the same."""
    from summit.live.rules import Ballot, tally, weighted_tally

    groups = {
        "single": [(Ballot((1,)), 3), (Ballot((2,)), 1)],
        "multiple": [(Ballot((1, 2)), 2), (Ballot((3,)), 5)],
        "scale": [(Ballot(value=5), 2), (Ballot(value=2), 3)],
        "text": [(Ballot(text="Équité"), 2), (Ballot(text="equite, data"), 1)],
    }
    for kind, grouped in groups.items():
        one_by_one = [ballot for ballot, n in grouped for _ in range(n)]
        assert weighted_tally(kind, grouped) == tally(kind, one_by_one), kind
    assert weighted_tally("scale", groups["scale"]).average == 3.2
