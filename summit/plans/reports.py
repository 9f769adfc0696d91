"""What organizers see of the plans: progress and aggregates without names, and CSV rows.

No function here returns a name next to an answer. No aggregate shows a group smaller than
``summit.personal_fields.SMALLEST_GROUP`` (``large_enough``): readiness averages (everyone's
included), a priority's average rank, and the words and phrases of the take-back answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from summit.events.models import Event, Organization
from summit.extensions import db
from summit.personal_fields import SMALLEST_GROUP, large_enough
from summit.plans import services
from summit.plans.models import ActionPlan, PlanAnswer, PlanQuestion
from summit.plans.text_stats import top_terms
from summit.registration.api import Attendee
from summit.textfold import natural_key

MIN_GROUP = SMALLEST_GROUP


def _individual_answers(event: Event, *where):
    return db.session.execute(
        select(PlanAnswer, PlanQuestion, Attendee.role, Organization.state)
        .join(PlanQuestion, PlanQuestion.id == PlanAnswer.question_id)
        .join(ActionPlan, ActionPlan.id == PlanAnswer.plan_id)
        .join(Attendee, Attendee.id == ActionPlan.attendee_id)
        .outerjoin(Organization, Organization.id == Attendee.organization_id)
        .where(ActionPlan.event_id == event.id, PlanAnswer.value != "", *where)).all()


def priority_counts(event: Event) -> list[dict]:
    """Each priority option: how many plans chose it and its average rank."""
    chosen: Counter[str] = Counter()
    rank_sum: Counter[str] = Counter()
    options: list[str] = []
    for answer, _question, _role, _state in _individual_answers(
            event, PlanQuestion.kind == "priorities"):
        option = answer.field[5:]
        chosen[option] += 1
        rank_sum[option] += int(answer.value)
        if option not in options:
            options.append(option)
    template = services.template_for(event)
    for section in template.sections:
        for question in section.questions:
            if question.kind == "priorities":
                options.extend(o for o in question.options or [] if o not in options)
    rows = [{"option": o, "chosen": chosen[o],
             "average_rank": round(rank_sum[o] / chosen[o], 1)
             if large_enough(chosen[o]) else None}
            for o in options]
    return sorted(rows, key=lambda r: (-r["chosen"], r["option"]))


def readiness_averages(event: Event) -> dict:
    """Average score per dimension, by role and by state or province."""
    dimensions: dict[int, str] = {}
    by_role: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_state: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    overall: dict[int, list[int]] = defaultdict(list)
    for answer, question, role, state in _individual_answers(
            event, PlanQuestion.kind == "readiness", PlanAnswer.field == "score"):
        dimensions[question.id] = question.prompt.split(":")[0]
        score = int(answer.value)
        by_role[role or "—"][question.id].append(score)
        by_state[state or "—"][question.id].append(score)
        overall[question.id].append(score)

    def cell(scores: list[int]) -> tuple[float | None, int]:
        average = round(sum(scores) / len(scores), 2) if large_enough(len(scores)) else None
        return average, len(scores)

    def table(groups):
        return [(label, {qid: cell(groups[label].get(qid, [])) for qid in dimensions})
                for label in sorted(groups, key=natural_key)]

    return {
        "dimensions": dimensions,
        "overall": {qid: cell(overall.get(qid, [])) for qid in dimensions},
        "by_role": table(by_role),
        "by_state": table(by_state),
        "min_group": MIN_GROUP,
    }


def take_back_terms(event: Event, limit: int = 15):
    """The most frequent words and phrases of "What will you take back?", each counted once
    per answer and shown only when enough answers use it."""
    texts = [answer.value for answer, *_ in _individual_answers(
        event, PlanQuestion.key == "take_back", PlanAnswer.field == "")]
    words, phrases = top_terms(texts, limit, min_count=SMALLEST_GROUP)
    return {"answers": len(texts), "words": words, "phrases": phrases,
            "min_group": SMALLEST_GROUP}


PROGRESS_COLUMNS = ("district", "registered", "started", "completed")


def progress_rows_csv(event: Event, label_of) -> list[dict[str, str]]:
    attendees = services.registered_attendees(event)
    progress = services.plan_progress_for(a.id for a in attendees)
    return [{"district": label, "registered": str(c["people"]),
             "started": str(c["started"]), "completed": str(c["completed"])}
            for label, c in services.progress_by(attendees, progress, label_of)]


def response_rows_csv(event: Event) -> tuple[list[str], list[dict[str, str]]]:
    """One row per started individual plan, without names or districts."""
    template = services.template_for(event)
    questions = [q for s in services.live_sections(template) for q in s.live_questions]
    columns = ["plan", "role", "state", "status"]
    for q in questions:
        if q.kind == "readiness":
            label = q.prompt.split(":")[0]
            columns += [f"{label} score", f"{label} note"]
        elif q.kind == "priorities":
            columns.append("Priorities (ranked)")
        elif q.kind == "actions":
            columns += [f"Action {n}" for n in range(1, q.max_items + 1)]
        else:
            columns.append(q.prompt)
    plans = db.session.execute(
        select(ActionPlan, Attendee.role, Organization.state)
        .join(Attendee, Attendee.id == ActionPlan.attendee_id)
        .outerjoin(Organization, Organization.id == Attendee.organization_id)
        .where(ActionPlan.event_id == event.id, ActionPlan.started_at.is_not(None))
        .order_by(ActionPlan.started_at)).all()
    rows = []
    for n, (plan, role, state) in enumerate(plans, start=1):
        answers = services.answers_by_key(plan)
        row = {"plan": str(n), "role": role or "", "state": state or "", "status": plan.status}
        for q in questions:
            if q.kind == "readiness":
                label = q.prompt.split(":")[0]
                row[f"{label} score"] = getattr(answers.get((q.id, "score")), "value", "")
                row[f"{label} note"] = getattr(answers.get((q.id, "note")), "value", "")
            elif q.kind == "priorities":
                row["Priorities (ranked)"] = "; ".join(services.ranked_priorities(q, answers))
            elif q.kind == "actions":
                for i, action in enumerate(services.action_rows(q, answers), start=1):
                    row[f"Action {i}"] = " | ".join(v for v in action.values() if v)
            else:
                row[q.prompt] = getattr(answers.get((q.id, "")), "value", "")
        rows.append(row)
    return columns, rows
