"""Learning credit's personal data (see ``summit.privacy``).

Certificates are the provider's credit record (name, email, activities, hours, code): they
are kept for the provider's retention period (``CreditSettings.retention_years``, 7 by
default) even when the rest of the attendee's data is erased or the event is purged; the
record is detached from the registration then. ``flask --app summit credits purge`` deletes
them once that period is over. docs/privacy.md says what is kept and why.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from summit.credits import services
from summit.credits.models import Certificate, CreditCorrection, CreditRequest, CreditScan
from summit.extensions import db
from summit.privacy.api import personal_data


@personal_data(order=60, name="learning_credit", title="Learning credit")
class LearningCredit:
    """Scans counted for learning credit, corrections and correction requests (deleted), and
    certificates of learning credit: those are the provider's record and are kept, detached
    from the registration, for the provider's retention period (7 years by default)."""

    def export(attendee) -> dict:
        def rows(model, order):
            return db.session.scalars(select(model).where(model.attendee_id == attendee.id)
                                      .order_by(order))

        return {
            "scans": [{"kind": s.kind, "at": s.at, "source": s.source}
                      for s in rows(CreditScan, CreditScan.at)],
            "corrections": [{"activity": c.activity_key, "granted": c.granted,
                             "reason": c.reason, "at": c.at}
                            for c in rows(CreditCorrection, CreditCorrection.at)],
            "requests": [{"activity": r.activity_key, "message": r.message,
                          "status": r.status, "answer": r.answer}
                         for r in rows(CreditRequest, CreditRequest.created_at)],
            "certificates": [{"code": c.code, "status": c.status, "hours": c.total_minutes / 60,
                              "issued_at": c.issued_at, "kept_until": c.keep_until}
                             for c in rows(Certificate, Certificate.issued_at)],
        }

    def erase(attendee) -> None:
        # The credit record must outlive the registration: issue it now if it is due.
        if attendee.status == "registered":
            event = attendee.event
            book = services.ledger_for(event, attendee, current_app.secret_key)
            services.issue(event, attendee, book)
        services.keep_on_erasure(attendee)
