"""Telling people who signed up that their session moved.

One function on purpose: the messages capability will route ``deliver`` through its job queue
and real SMTP later; the call site does not change.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from summit.i18n import attendee_locale
from summit.messages.mail import deliver, new_message


def notify_session_changed(session, enrollments, before: dict) -> int:
    """Email everyone in ``enrollments`` that ``session`` moved; returns how many were sent.

    ``before`` holds the old ``where`` and ``when`` as shown to people (e.g. "Room 101",
    "Monday, March 1, 9:00–10:00").
    """
    from summit.breakouts.services import describe_place, describe_time, place_of, time_of

    event = session.event
    sent = 0
    for enrollment in enrollments:
        attendee = enrollment.attendee
        with force_locale(attendee_locale(attendee)):
            subject = gettext("Moved: %(title)s (%(event)s)", title=session.title,
                              event=event.name)
            body = render_template(
                "breakouts/email/session_moved.txt", attendee=attendee, event=event,
                session=session, enrollment=enrollment,
                before={**before, "where": place_of(before["room"]) if "room" in before
                        else before["where"],
                        "when": time_of(event, before["slot"]) if "slot" in before
                        else before["when"]},
                where=describe_place(session), when=describe_time(event, session),
                agenda_url=current_app.config["BASE_URL"] + f"/e/{event.slug}/agenda",
            )
        message = new_message(subject, attendee.email)
        message.set_content(body)
        deliver(message)
        sent += 1
    return sent
