"""Domain signals: "this happened", sent by the capability that owns the change.

Each signal is a blinker signal (Flask already depends on blinker). The owner sends it inside
its transaction, after the change is flushed; receivers run in that same transaction, so what
they write commits or rolls back with the change. Receivers never do network I/O: to send mail
or render a PDF they queue a job (``summit.jobs.enqueue``), which runs after the commit.

Receivers are connected in each capability's ``init_app(app)``, which ``create_app`` calls in one
visible order; nothing is connected as a side effect of an import. ``docs/architecture.md``
draws who sends and who listens, and a test keeps that drawing and this module in step.

The sender is the changed object; keyword arguments carry the rest::

    signals.attendee_cancelled.send(attendee)
    signals.checked_in.send(checkin, checkin_list=checkin_list, session_id=None)
"""

from __future__ import annotations

from blinker import NamedSignal, Namespace

_signals = Namespace()

event_created = _signals.signal("event-created", doc="""
An event was created. Sender: the ``Event``.""")

attendee_registered = _signals.signal("attendee-registered", doc="""
Someone registered or joined the waitlist (``attendee.status`` says which). Sender: the
``Attendee``. Keyword ``source``: ``"form"``, ``"import"``, ``"desk"``...""")

personal_link_requested = _signals.signal("personal-link-requested", doc="""
Someone asked for an attendee's personal link to be emailed to them. Sender: the ``Attendee``.
Keyword ``by_attendee``: ``True`` for the public "send my link again" form (which may answer
at most once in a while), ``False`` for an organizer.""")

attendee_promoted = _signals.signal("attendee-promoted", doc="""
A waitlisted attendee got a place. Sender: the ``Attendee``. Keyword ``automatic``: ``True``
when a cancellation freed the place, ``False`` when an organizer promoted them.""")

attendee_cancelled = _signals.signal("attendee-cancelled", doc="""
A registration was cancelled. Sender: the ``Attendee`` (status already ``cancelled``).""")

session_changed = _signals.signal("session-changed", doc="""
A breakout session moved to another room or time. Sender: the ``BreakoutSession``. Keywords:
``attendee_ids`` (everyone signed up or waiting), ``waitlisted_ids`` (those of them still
waiting), ``before`` and ``after`` (``{"where": ..., "when": ...}`` as people see it: lazy
strings, each read in the language active where it is used) and ``change_key`` (unique per
change, for idempotent notices).""")

checked_in = _signals.signal("checked-in", doc="""
An attendee was checked in on a check-in list (the entrance, or a session's room door).
Sender: the event id. Keywords: ``attendee_id``, ``list_id``, ``list_kind`` (``"entrance"`` or
``"session"``), ``session_id`` (or ``None``), ``at`` (the scan's time, UTC), ``source``,
``checkin_id`` (the new check-in's id) and
``connection``: the connection the check-in was written on, whose transaction the receiver is
in. The API writes check-ins straight on the driver, not through ``db.session``, so a receiver
writes with ``connection.execute(statement, params)``. Sent once per new check-in; never for a
scan that found one already stored (amber) or for a replayed nonce.""")


scanned_again = _signals.signal("scanned-again", doc="""
A scan found the attendee already checked in on the list (an amber answer): on the entrance
list, a later day's arrival; at a session's door, someone leaving (an exit scan). Sender: the
event id. Keywords as ``checked_in`` (``checkin_id`` is the stored check-in's, ``at`` this
scan's time). Not sent for a replayed nonce; nothing is written by check-in.""")


def all_signals() -> dict[str, NamedSignal]:
    """Every domain signal, by the name it has in this module (docs/architecture.md's test
    compares them with the document)."""
    return {name: value for name, value in globals().items() if isinstance(value, NamedSignal)}
