"""The rules of live Q&A and polls, as plain functions (no Flask, no database).

- ``clean_question``: what a question may be (not empty, not longer than ``MAX_QUESTION``).
- ``word_cloud``: the words of a word-cloud poll, counted with case and accents folded and
  English and French stop words dropped.
- ``tally``: a poll's results from its votes.
- ``order_questions``: the order a room sees its questions in.
- ``parse_vote``: what a person's answer to a poll means, or why it is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from summit.textfold import fold


def N_(text: str) -> str:  # noqa: N802  (gettext no-op marker: translated when shown)
    return text

STATUSES = ("pending", "visible", "hidden", "answered")
MODERATIONS = ("immediate", "approval")
POLL_KINDS = ("single", "multiple", "scale", "text")
POLL_STATUSES = ("draft", "open", "closed")
RESULTS = ("voted", "closed")
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTION = 500
MAX_NAME = 120
MAX_WORDS_TEXT = 60
MAX_OPTIONS = 10
# Attendees' phones take new vote and upvote counts at most this often; what is shown or hidden,
# and polls opening or closing, reach them at once (see docs/live.md).
PHONE_COUNTS_SECONDS = 30
# A phone polls its room every 3 s; in a keynote, less often, so that a room's phones together
# send about 300 polls a second at most (3,000 phones: every 10 s). The big screen and the
# moderators keep their 1 s, and a phone sees its own question or vote at once (it asks).
PHONE_POLL_SECONDS = 3
PHONE_POLL_MAX_SECONDS = 10
ROOM_POLLS_PER_SECOND = 300


def phone_poll_seconds(audience: int) -> int:
    """How often a phone polls a room that ``audience`` people may have open."""
    return max(PHONE_POLL_SECONDS,
               min(PHONE_POLL_MAX_SECONDS, -(-max(audience, 0) // ROOM_POLLS_PER_SECOND)))


class LiveError(ValueError):
    """A refusal in words the person can act on (marked for translation)."""


class PollClosedError(LiveError):
    """An answer to a poll that is not open (or closed while the answer was on its way)."""


def clean_question(text: str | None) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise LiveError(N_("Write your question first."))
    if len(text) > MAX_QUESTION:
        raise LiveError(N_("Keep your question under 500 characters."))
    return text


def clean_name(name: str | None) -> str:
    return " ".join((name or "").split())[:MAX_NAME]


# --- word clouds ------------------------------------------------------------------------------

# Folded (no accents, lower case): compared with folded words.
STOP_WORDS_EN = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can cannot could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves
""".split())
STOP_WORDS_FR = frozenset(fold(w) for w in """
à au aux avec ce ces cet cette dans de des du elle elles en est et être eux il ils je la le les
leur leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui
sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y été était sont
ont a ai as avons avez très plus peu bien tout tous toute toutes
""".split())
STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_FR
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu)['’]")


def cloud_words(text: str | None) -> list[str]:
    """The words of one answer that count in a word cloud: folded (case and accents), French
    elisions dropped ("l'école" counts as "ecole"), stop words and single letters left out."""
    found = []
    for raw in _WORD.findall(fold(text or "") or ""):
        word = _ELISION.sub("", raw.replace("’", "'"))
        if len(word) > 1 and word not in STOP_WORDS and not word.isdigit():
            found.append(word)
    return found


def word_cloud(texts: Iterable[str], limit: int = 40) -> list[tuple[str, int]]:
    """The ``limit`` most frequent words (each counted once per answer), most frequent first,
    then alphabetically."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(cloud_words(text)))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def cloud_sizes(words: Sequence[tuple[str, int]], steps: int = 6) -> list[tuple[str, int, int]]:
    """(word, count, size 1..steps) for drawing: the most frequent word is the largest."""
    if not words:
        return []
    top = max(count for _, count in words)
    return [(word, count, 1 + round((steps - 1) * count / top) if top else 1)
            for word, count in words]


# --- polls -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ballot:
    """A person's answer to one poll, as stored."""

    option_ids: tuple[int, ...] = ()
    value: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Tally:
    votes: int
    counts: dict = field(default_factory=dict)  # option id or scale value -> count
    average: float | None = None  # scale polls
    words: list = field(default_factory=list)  # text polls: [(word, count)]

    def percent(self, key) -> int:
        return round(100 * self.counts.get(key, 0) / self.votes) if self.votes else 0


def parse_vote(kind: str, option_ids: Sequence[int], form_options: Sequence[int | str | None],
               value: int | str | None, text: str | None) -> Ballot:
    """The ballot a form sends, checked against the poll's kind and its own options
    (``option_ids``); an option or a number that is not a whole number is None or text.
    Raises ``LiveError``."""
    if kind in ("single", "multiple"):
        chosen = []
        for raw in form_options:
            try:
                chosen.append(int(raw))
            except (TypeError, ValueError):
                raise LiveError(N_("That choice is not one of this poll's.")) from None
        chosen = sorted(set(chosen))
        if not chosen:
            raise LiveError(N_("Choose an answer first."))
        if any(c not in option_ids for c in chosen):
            raise LiveError(N_("That choice is not one of this poll's."))
        if kind == "single" and len(chosen) > 1:
            raise LiveError(N_("Choose one answer."))
        return Ballot(option_ids=tuple(chosen))
    if kind == "scale":
        try:
            number = int(value or "")
        except ValueError:
            raise LiveError(N_("Choose a number from 1 to 5.")) from None
        if number not in SCALE:
            raise LiveError(N_("Choose a number from 1 to 5."))
        return Ballot(value=number)
    if kind == "text":
        words = " ".join((text or "").split())
        if not words:
            raise LiveError(N_("Write a word or two first."))
        if len(words) > MAX_WORDS_TEXT:
            raise LiveError(N_("Keep it short: a word or two."))
        return Ballot(text=words)
    raise LiveError(N_("This poll cannot be answered."))


def tally(kind: str, ballots: Iterable[Ballot]) -> Tally:
    return weighted_tally(kind, ((ballot, 1) for ballot in ballots))


def weighted_tally(kind: str, groups: Iterable[tuple[Ballot, int]]) -> Tally:
    """The tally of ballots given as (ballot, how many alike): the database groups identical
    ballots, so 3,000 answers to a choice poll arrive as a handful of rows."""
    counts: Counter = Counter()
    texts = []
    scale_total = scale_votes = 0
    votes = 0
    for ballot, n in groups:
        votes += n
        if kind in ("single", "multiple"):
            for option_id in ballot.option_ids:
                counts[option_id] += n
        elif kind == "scale" and ballot.value is not None:
            counts[ballot.value] += n
            scale_total += ballot.value * n
            scale_votes += n
        elif kind == "text":
            texts.extend([ballot.text] * n)
    if kind == "scale":
        average = round(scale_total / scale_votes, 1) if scale_votes else None
        return Tally(votes, dict(counts), average=average)
    if kind == "text":
        return Tally(votes, {}, words=word_cloud(texts))
    return Tally(votes, dict(counts))


def results_visible(results: str, status: str, voted: bool, staff: bool = False) -> bool:
    """Whether a person sees a poll's results: staff always; everyone once it is closed; a
    person who voted, when the poll shows results after voting."""
    if staff or status == "closed":
        return True
    return results == "voted" and voted and status == "open"


def option_ids_of(stored: str) -> tuple[int, ...]:
    return tuple(int(x) for x in stored.split(",") if x.strip().isdigit())


# --- questions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """What ordering needs of a question."""

    id: int
    status: str
    pinned: bool
    upvotes: int
    created_at: datetime


def order_questions(questions: Iterable, *, by: str = "top") -> list:
    """Pinned first; then open questions (most upvoted first, or newest first with
    ``by="new"``, earlier ones first on a tie); answered ones last (most recently asked first).
    Hidden and pending questions are for moderators and are left out here."""
    shown = [q for q in questions if q.status in ("visible", "answered")]

    def key(q):
        answered = q.status == "answered"
        stamp = q.created_at.timestamp()
        if by == "new":
            return (not q.pinned, answered, -stamp, -q.id)
        return (not q.pinned, answered, -q.upvotes if not answered else 0,
                stamp if not answered else -stamp, q.id)

    return sorted(shown, key=key)


def moderation_order(questions: Iterable) -> list:
    """The moderator's list: waiting for approval first (oldest first), then what the room
    sees (as the room sees it), then hidden ones."""
    questions = list(questions)
    pending = sorted((q for q in questions if q.status == "pending"),
                     key=lambda q: (q.created_at, q.id))
    hidden = sorted((q for q in questions if q.status == "hidden"),
                    key=lambda q: (q.created_at, q.id))
    return pending + order_questions(questions) + hidden


def initial_status(moderation: str) -> str:
    return "pending" if moderation == "approval" else "visible"


def clean_poll(kind: str, question: str, options: Iterable[str], results: str
               ) -> tuple[str, list[str]]:
    """A poll an organizer prepares: its question and options (none for scale and text)."""
    question = " ".join((question or "").split())
    if kind not in POLL_KINDS:
        raise LiveError(N_("Choose what kind of poll this is."))
    if not question:
        raise LiveError(N_("Write the poll's question."))
    if len(question) > 300:
        raise LiveError(N_("Keep the poll's question under 300 characters."))
    if results not in RESULTS:
        raise LiveError(N_("Choose when people see the results."))
    labels = [" ".join(o.split())[:200] for o in options if o and o.strip()]
    if kind in ("single", "multiple"):
        if len(labels) < 2:
            raise LiveError(N_("Give at least two answers to choose from."))
        if len(labels) > MAX_OPTIONS:
            raise LiveError(N_("Give at most ten answers to choose from."))
        if len({fold(label) for label in labels}) != len(labels):
            raise LiveError(N_("Two answers are the same."))
    else:
        labels = []
    return question, labels
