"""The agenda members shape: topics ranked by votes, the top ones chosen for a meeting, the
rest carried over to the next, and the deadline for publishing. No Flask."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TopicFacts:
    id: int
    votes: int
    carried_over: int
    created_at: datetime
    title: str = ""


def ranked(topics: Iterable[TopicFacts]) -> list[TopicFacts]:
    """Most votes first; among equals, the one waiting longest (carried over more, then
    older) first, so nothing waits for ever behind newer ties."""
    return sorted(topics, key=lambda t: (-t.votes, -t.carried_over, t.created_at, t.id))


def top_topics(topics: Iterable[TopicFacts], count: int) -> list[TopicFacts]:
    return ranked(topics)[:max(count, 0)]


def carry_over(open_topics: Iterable[TopicFacts], chosen_ids: Iterable[int]
               ) -> dict[int, int]:
    """``{topic id: new carried-over count}`` for the open topics a meeting did not take:
    they stay on the list for the next meeting, with their votes."""
    chosen = set(chosen_ids)
    return {t.id: t.carried_over + 1 for t in open_topics if t.id not in chosen}


def agenda_text(chosen: Sequence[TopicFacts]) -> str:
    """A first draft of the agenda from the chosen topics, one line each (the hosts edit it)."""
    return "\n".join(f"{number}. {topic.title}" for number, topic in enumerate(chosen, 1))


def agenda_deadline(meeting_start: datetime, days_before: int) -> datetime:
    """When the agenda must be out: ``days_before`` days before the meeting starts."""
    return meeting_start - timedelta(days=max(days_before, 0))


def agenda_late(meeting_start: datetime, days_before: int, published_at: datetime | None,
                now: datetime) -> bool:
    """Past the deadline with no agenda published (or published after it)."""
    deadline = agenda_deadline(meeting_start, days_before)
    if published_at is not None:
        return published_at > deadline
    return now > deadline
