"""A plan as a document: the worksheet's template context, its PDF and the PDF's file name.

Shared by the pages (``views``) and the "email my plan" job (``mailing``), which renders the
same PDF outside any request. Reads only; the caller provides the event's template.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from summit.i18n import current_language, translate
from summit.plans import services


def worksheet_context(event, attendee, plan, template, editable: bool = True) -> dict:
    return {
        "event": event, "attendee": attendee, "plan": plan, "template": template,
        "sections": services.live_sections(template), "answers": services.answers_by_key(plan),
        "earlier": services.earlier_answers(plan), "editable": editable,
        "readiness_scale": services.READINESS_SCALE, "action_fields": services.ACTION_FIELDS,
        "field_label": field_label, "ranked_priorities": services.ranked_priorities,
        "action_rows": services.action_rows,
        "score_options": [("", "—")] + [(str(k), f"{k} · {translate(v)}")
                                        for k, v in services.READINESS_SCALE.items()],
        "rank_options": rank_options,
    }


def field_label(question, field: str) -> str:
    """``services.field_label`` in the current language."""
    match = services._ACTION_FIELD.match(field)
    if match:
        return _("Action %(n)s · %(field)s", n=match.group(1),
                 field=translate(dict(services.ACTION_FIELDS)[match.group(2)]))
    return translate(services.field_label(question, field))


def _ordinal(i: int) -> str:
    if current_language() == "fr":
        return "1er" if i == 1 else f"{i}e"
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(i, f"{i}th")


def rank_options(n: int) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(i), _ordinal(i)) for i in range(1, n + 1)]


def pdf_html(event, attendee, plan, template) -> str:
    """The plan as the HTML its PDF is made from (reads the database)."""
    return render_template("plans/plan_pdf.html",
                           **worksheet_context(event, attendee, plan, template, editable=False))


def render_pdf(html: str) -> bytes:
    """The PDF of ``pdf_html`` (WeasyPrint: the slow part, and no database work)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=current_app.config["BASE_URL"]).write_pdf()


def pdf_name(event, plan) -> str:
    who = plan.organization.name if plan.is_team else plan.attendee.full_name
    safe = "".join(c if c.isalnum() else "-" for c in f"{event.slug}-plan-{who}").strip("-")
    return f"{safe.lower()}.pdf"
