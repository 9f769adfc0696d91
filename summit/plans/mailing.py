""""Email my plan": the ``plans.email`` job.

The page only queues this job. The job reads the plan and builds the HTML of its PDF, commits,
renders the PDF with no transaction open (seconds, for a long plan), then puts the email in the
outbox (``send_to_attendee``) in a short write transaction; the delivery job sends it. All of it
in the attendee's language, like every email to them.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from summit import jobs
from summit.database import require_no_transaction, write_transaction
from summit.extensions import db
from summit.i18n import attendee_locale
from summit.messages.api import send_to_attendee
from summit.plans import documents, services
from summit.plans.models import ActionPlan
from summit.registration.api import Attendee

EMAIL_JOB = "plans.email"


def queue_plan_email(event, attendee: Attendee, plan: ActionPlan) -> jobs.Job:
    """Queue the email of ``plan`` as a PDF to ``attendee`` (the caller commits)."""
    services.template_for(event)  # seeded now if it must be: the job then only reads
    return jobs.enqueue(EMAIL_JOB, event_id=event.id,
                        params={"plan_id": plan.id, "attendee_id": attendee.id})


def email_plan_job(job, report_progress) -> str:
    plan_id, attendee_id = int(job.params["plan_id"]), int(job.params["attendee_id"])
    plan = db.session.get(ActionPlan, plan_id)
    attendee = db.session.get(Attendee, attendee_id)
    if plan is None or attendee is None or attendee.status == "cancelled":
        db.session.commit()
        return "nothing sent: the plan or the registration is gone"
    event = attendee.event
    with force_locale(attendee_locale(attendee)):
        html = documents.pdf_html(event, attendee, plan, services.template_for(event))
    filename = documents.pdf_name(event, plan)
    db.session.commit()  # end the read: the PDF renders with no transaction open
    require_no_transaction(db.session, "rendering a plan's PDF")
    pdf = documents.render_pdf(html)
    with write_transaction(db.session):
        plan = db.session.get(ActionPlan, plan_id)
        attendee = db.session.get(Attendee, attendee_id)
        if plan is None or attendee is None:
            return "nothing sent: the plan or the registration is gone"
        send_to_attendee(
            attendee, f"plan:{plan_id}:job-{job.id}",
            _l("Your action plan · %(event)s", event=attendee.event.name), "plans/email_plan",
            {"plan": plan}, attachments=[(filename, "application/pdf", pdf)])
    return f"plan {plan_id} queued to the outbox ({len(pdf)} bytes of PDF)"
