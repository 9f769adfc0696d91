"""Worksheet templates, plans and their answers: the rules, with no Flask in sight.

The one rule that matters most: never lose a word. ``save_answer`` takes the version the
browser's text was based on; when someone else saved the same field in the meantime it raises
``Conflict`` (carrying the other text) instead of overwriting it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from summit.database import lock_for_update, utcnow
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.plans.models import (
    N_,
    QUESTION_KINDS,
    ActionPlan,
    PlanAnswer,
    PlanQuestion,
    PlanSection,
    PlanTeamMember,
    PlanTemplate,
)
from summit.registration.api import Attendee, membership
from summit.textfold import natural_key

MAX_TEXT = 20_000


PRIORITIES = [
    N_("Policy alignment"), N_("Ethical use"), N_("Data privacy"),
    N_("Classroom implementation"), N_("Professional learning"), N_("Student use"),
    N_("Staff guidance"), N_("Community communication"),
]
READINESS = [
    ("readiness_technical", N_("Technical"), N_("Is our data accurate, secure and accessible?")),
    ("readiness_human", N_("Human"),
     N_("Do staff understand the purpose and the expected outcomes?")),
    ("readiness_organizational", N_("Organizational"),
     N_("Is there support across departments and schools?")),
    ("readiness_measurement", N_("Measurement"), N_("Have success metrics been defined?")),
]
# The seeded readiness prompts are "label: question"; the catalog holds them whole.
READINESS_PROMPTS = [
    N_("Technical: Is our data accurate, secure and accessible?"),
    N_("Human: Do staff understand the purpose and the expected outcomes?"),
    N_("Organizational: Is there support across departments and schools?"),
    N_("Measurement: Have success metrics been defined?"),
]
READINESS_SCALE = {1: N_("Not yet"), 2: N_("Starting"), 3: N_("Mostly"), 4: N_("Ready")}
ACTION_FIELDS = [("first_step", N_("First step")), ("owner", N_("Owner")),
                 ("date", N_("Target date")), ("measure", N_("Success measure"))]

# (section title, intro, [(key, kind, prompt, help, options)])
DEFAULT_TEMPLATE = [
    (N_("Take it home"), "", [
        ("take_back", "text", N_("What will you take back to your district?"),
         N_("The one or two ideas from this summit you want to act on."), None),
    ]),
    (N_("Readiness"),
     N_("Score each dimension from 1 (not yet) to 4 (ready) and add a short note."), [
        (key, "readiness", prompt, "", None)
        for (key, _label, _question), prompt in zip(READINESS, READINESS_PROMPTS, strict=True)
    ]),
    (N_("Priorities"), "", [
        ("priorities", "priorities", N_("Which priorities will you work on, and in what order?"),
         N_("Give your most important priority rank 1. Leave the others empty."), PRIORITIES),
    ]),
    (N_("Actions"), "", [
        ("actions", "actions", N_("Up to five concrete actions"),
         N_("For each: the first step, who owns it, a target date and how you will know it "
            "worked."),
         None),
    ]),
    (N_("People"), "", [
        ("who_else", "text", N_("Who else in my district needs to be part of this?"), "", None),
    ]),
    (N_("Reflection"), "", [
        ("reflect_table", "text", N_("Who isn't at the table, and why?"), "", None),
        ("reflect_trust", "text", N_("How am I building trust?"), "", None),
        ("reflect_risk", "text", N_("Where am I taking a creative risk?"), "", None),
    ]),
]


class PlanError(ValueError):
    pass


@dataclass
class Conflict(Exception):
    """Someone saved this field since the browser loaded it."""

    answer: PlanAnswer
    mine: str


# --- the template ---------------------------------------------------------------------------


def template_for(event: Event) -> PlanTemplate:
    """The event's worksheet template, seeded with the default workshop on first use."""
    template = db.session.scalar(select(PlanTemplate).where(PlanTemplate.event_id == event.id))
    if template is not None:
        return template
    try:
        with db.session.begin_nested():
            template = PlanTemplate(event_id=event.id,
                                    title=N_("Leadership Action Planning Workshop"),
                                    intro=N_("Write in short bursts: every answer saves itself."))
            db.session.add(template)
            db.session.flush()
            for s_pos, (title, intro, questions) in enumerate(DEFAULT_TEMPLATE):
                section = PlanSection(template=template, position=s_pos, title=title,
                                      intro=intro)
                db.session.add(section)
                for q_pos, (key, kind, prompt, help_text, options) in enumerate(questions):
                    db.session.add(PlanQuestion(
                        section=section, position=q_pos, key=key, kind=kind, prompt=prompt,
                        help=help_text, options=list(options) if options else None,
                        max_items=5))
            db.session.flush()
    except IntegrityError:  # another request seeded it first
        template = db.session.scalar(
            select(PlanTemplate).where(PlanTemplate.event_id == event.id))
    return template


def live_sections(template: PlanTemplate) -> list[PlanSection]:
    return [s for s in template.sections if s.removed_at is None]


def _touch(template: PlanTemplate) -> None:
    template.version = (template.version or 1) + 1
    template.updated_at = utcnow()


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def add_section(template: PlanTemplate, title: str, intro: str = "") -> PlanSection:
    title = title.strip()
    if not title:
        raise PlanError(N_("Please give the section a title."))
    section = PlanSection(template=template, title=title[:200], intro=intro.strip(),
                          position=len(template.sections))
    db.session.add(section)
    _touch(template)
    db.session.flush()
    return section


def update_section(section: PlanSection, title: str, intro: str) -> None:
    if not title.strip():
        raise PlanError(N_("Please give the section a title."))
    section.title = title.strip()[:200]
    section.intro = intro.strip()
    _touch(section.template)


def remove_section(section: PlanSection) -> None:
    """Hide a section; answers to its questions stay with the plans."""
    section.removed_at = utcnow()
    for question in section.questions:
        question.removed_at = question.removed_at or utcnow()
    _touch(section.template)


def move_section(section: PlanSection, delta: int) -> None:
    sections = live_sections(section.template)
    index = sections.index(section)
    target = index + delta
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
        _renumber(sections)
        _touch(section.template)


def add_question(section: PlanSection, prompt: str, kind: str = "text", help_text: str = "",
                 options: list[str] | None = None) -> PlanQuestion:
    prompt = prompt.strip()
    if not prompt:
        raise PlanError(N_("Please write the question."))
    if kind not in QUESTION_KINDS:
        raise PlanError(N_("Please choose a kind of answer."))
    options = [o.strip()[:100] for o in (options or []) if o.strip()]
    if kind == "priorities" and len(options) < 2:
        raise PlanError(N_("A ranking question needs at least two options, one a line."))
    question = PlanQuestion(section=section, prompt=prompt, kind=kind, help=help_text.strip(),
                            options=options or None, position=len(section.questions),
                            max_items=5)
    db.session.add(question)
    _touch(section.template)
    db.session.flush()
    return question


def update_question(question: PlanQuestion, prompt: str, help_text: str) -> None:
    """Reword a question. Its id stays, so every answer already given stays with it."""
    if not prompt.strip():
        raise PlanError(N_("Please write the question."))
    question.prompt = prompt.strip()
    question.help = help_text.strip()
    _touch(question.section.template)


def remove_question(question: PlanQuestion) -> None:
    question.removed_at = utcnow()
    _touch(question.section.template)


def move_question(question: PlanQuestion, delta: int) -> None:
    questions = question.section.live_questions
    index = questions.index(question)
    target = index + delta
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
        _renumber(questions)
        _touch(question.section.template)


# --- plans ----------------------------------------------------------------------------------


def _get_or_create(query, make):
    row = db.session.scalar(query)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = make()
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        row = db.session.scalar(query)
    return row


def plan_for(attendee: Attendee) -> ActionPlan:
    return _get_or_create(
        select(ActionPlan).where(ActionPlan.event_id == attendee.event_id,
                                 ActionPlan.attendee_id == attendee.id),
        lambda: ActionPlan(event_id=attendee.event_id, attendee_id=attendee.id))


def existing_plan(attendee: Attendee) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(
        ActionPlan.event_id == attendee.event_id, ActionPlan.attendee_id == attendee.id))


def team_plan(event: Event, organization: Organization) -> ActionPlan:
    return _get_or_create(
        select(ActionPlan).where(ActionPlan.event_id == event.id,
                                 ActionPlan.organization_id == organization.id),
        lambda: ActionPlan(event_id=event.id, organization_id=organization.id))


def existing_team_plan(attendee: Attendee) -> ActionPlan | None:
    if attendee.organization_id is None:
        return None
    return db.session.scalar(select(ActionPlan).where(
        ActionPlan.event_id == attendee.event_id,
        ActionPlan.organization_id == attendee.organization_id))


def team_members(plan: ActionPlan) -> list[Attendee]:
    """Who works on a team plan: people who joined it and are still confirmed members of the
    district's team (``summit.registration.membership``)."""
    confirmed = membership.member_ids(plan.event_id, plan.organization_id)
    return [a for a in db.session.scalars(
        select(Attendee).join(PlanTeamMember, PlanTeamMember.attendee_id == Attendee.id)
        .where(PlanTeamMember.plan_id == plan.id).order_by(Attendee.first_name))
        if a.id in confirmed]


def is_member(plan: ActionPlan, attendee: Attendee) -> bool:
    """Whether ``attendee`` joined the team plan and is a confirmed member of its team."""
    return (plan.organization_id is not None
            and plan.organization_id == attendee.organization_id
            and db.session.scalar(select(PlanTeamMember.id).where(
                PlanTeamMember.plan_id == plan.id,
                PlanTeamMember.attendee_id == attendee.id)) is not None
            and membership.is_member(attendee))


def join_team(attendee: Attendee) -> ActionPlan:
    if attendee.organization is None:
        raise PlanError(N_("Your registration has no district, so there is no team plan to join."))
    if not membership.is_member(attendee):
        raise PlanError(N_("Only confirmed members of your district team can join its plan."))
    plan = team_plan(attendee.event, attendee.organization)
    _get_or_create(
        select(PlanTeamMember).where(PlanTeamMember.plan_id == plan.id,
                                     PlanTeamMember.attendee_id == attendee.id),
        lambda: PlanTeamMember(plan_id=plan.id, attendee_id=attendee.id))
    return plan


def leave_team(attendee: Attendee) -> None:
    plan = existing_team_plan(attendee)
    if plan is None:
        return
    member = db.session.scalar(select(PlanTeamMember).where(
        PlanTeamMember.plan_id == plan.id, PlanTeamMember.attendee_id == attendee.id))
    if member is not None:
        db.session.delete(member)


def can_edit(plan: ActionPlan, attendee: Attendee) -> bool:
    if plan.event_id != attendee.event_id:
        return False
    if plan.attendee_id is not None:
        return plan.attendee_id == attendee.id
    return is_member(plan, attendee)


def can_view(plan: ActionPlan, attendee: Attendee) -> bool:
    if can_edit(plan, attendee):
        return True
    # An individual plan its owner shared with their district's team: both must be confirmed
    # members of it (typing a district's name on the form proves nothing).
    return (plan.event_id == attendee.event_id and plan.attendee_id is not None
            and plan.shared_with_team and attendee.organization_id is not None
            and plan.attendee.organization_id == attendee.organization_id
            and membership.is_member(attendee) and membership.is_member(plan.attendee))


def shared_plans_for(attendee: Attendee) -> list[ActionPlan]:
    """Individual plans confirmed district colleagues chose to share with their team (none for
    someone who is not a confirmed member of it)."""
    if attendee.organization_id is None or not membership.is_member(attendee):
        return []
    confirmed = membership.member_ids(attendee.event_id, attendee.organization_id)
    return [plan for plan in db.session.scalars(
        select(ActionPlan).join(Attendee, Attendee.id == ActionPlan.attendee_id)
        .where(ActionPlan.event_id == attendee.event_id, ActionPlan.shared_with_team.is_(True),
               Attendee.organization_id == attendee.organization_id,
               Attendee.id != attendee.id)
        .order_by(Attendee.first_name)) if plan.attendee_id in confirmed]


# --- answers --------------------------------------------------------------------------------

_ACTION_FIELD = re.compile(r"^a([1-9])\.(first_step|owner|date|measure)$")


def check_field(question: PlanQuestion, field: str, value: str) -> str:
    """The value to store, or ``PlanError`` when the field does not belong to the question."""
    if len(value) > MAX_TEXT:
        raise PlanError(N_("That answer is too long to save."))
    kind = question.kind
    if kind in ("text", "short") and field == "":
        return value
    if kind == "readiness":
        if field == "note":
            return value
        if field == "score" and value.strip() in ("", "1", "2", "3", "4"):
            return value.strip()
    if kind == "priorities" and field.startswith("rank:"):
        option = field[5:]
        allowed = range(1, len(question.options or []) + 1)
        if option in (question.options or []) and (
                value.strip() == "" or (value.strip().isdigit() and int(value) in allowed)):
            return value.strip()
    if kind == "actions":
        match = _ACTION_FIELD.match(field)
        if match and int(match.group(1)) <= question.max_items:
            return value
    raise PlanError(N_("That field is not part of this question."))


def answers_by_key(plan: ActionPlan) -> dict[tuple[int, str], PlanAnswer]:
    rows = db.session.scalars(select(PlanAnswer).where(PlanAnswer.plan_id == plan.id))
    return {(a.question_id, a.field): a for a in rows}


def save_answer(plan: ActionPlan, question: PlanQuestion, field: str, value: str,
                base_version: int, by: str = "") -> PlanAnswer:
    """Store one field if nobody changed it since ``base_version`` (0: never saved).

    Saving the text that is already stored is always fine (a retried request). Otherwise a
    different base version means someone else saved in between: ``Conflict``.
    """
    value = check_field(question, field, value.replace("\r\n", "\n"))
    locked = lock_for_update(db.session, ActionPlan, plan.id)  # one save per plan at a time
    answer = db.session.scalar(
        select(PlanAnswer).where(PlanAnswer.plan_id == plan.id,
                                 PlanAnswer.question_id == question.id,
                                 PlanAnswer.field == field)
        .execution_options(populate_existing=True))
    current = answer.version if answer else 0
    if answer is not None and answer.value == value:
        return answer
    if base_version != current:
        if answer is None:  # the browser knew a row that no longer exists: start afresh
            pass
        else:
            raise Conflict(answer=answer, mine=value)
    now = utcnow()
    if answer is None:
        answer = PlanAnswer(plan_id=plan.id, question_id=question.id, field=field, value=value,
                            version=1, updated_at=now, updated_by=by)
        db.session.add(answer)
    else:
        answer.value = value
        answer.version = current + 1
        answer.updated_at = now
        answer.updated_by = by
    locked.updated_at = now
    if value.strip() and locked.started_at is None:
        locked.started_at = now
    db.session.flush()
    return answer


def set_completed(plan: ActionPlan, completed: bool) -> None:
    plan.completed_at = utcnow() if completed else None
    if completed and plan.started_at is None:
        plan.started_at = plan.completed_at


def earlier_answers(plan: ActionPlan) -> list[tuple[PlanQuestion, list[PlanAnswer]]]:
    """Answers to questions the organizers removed since (shown "from an earlier version")."""
    grouped: dict[int, list[PlanAnswer]] = defaultdict(list)
    questions = {}
    rows = db.session.execute(
        select(PlanAnswer, PlanQuestion).join(PlanQuestion)
        .join(PlanSection, PlanSection.id == PlanQuestion.section_id)
        .where(PlanAnswer.plan_id == plan.id, PlanAnswer.value != "",
               (PlanQuestion.removed_at.is_not(None)) | (PlanSection.removed_at.is_not(None)))
        .order_by(PlanQuestion.id, PlanAnswer.field))
    for answer, question in rows:
        grouped[question.id].append(answer)
        questions[question.id] = question
    return [(questions[qid], answers) for qid, answers in grouped.items()]


def field_label(question: PlanQuestion, field: str) -> str:
    if field == "score":
        return N_("Score")
    if field == "note":
        return N_("Note")
    if field.startswith("rank:"):
        return field[5:]
    match = _ACTION_FIELD.match(field)
    if match:
        return f"Action {match.group(1)} · {dict(ACTION_FIELDS)[match.group(2)]}"
    return ""


def ranked_priorities(question: PlanQuestion, answers: dict) -> list[str]:
    ranks = []
    for option in question.options or []:
        answer = answers.get((question.id, f"rank:{option}"))
        if answer and answer.value:
            ranks.append((int(answer.value), option))
    return [option for _, option in sorted(ranks)]


def action_rows(question: PlanQuestion, answers: dict) -> list[dict[str, str]]:
    rows = []
    for n in range(1, question.max_items + 1):
        row = {name: (answers.get((question.id, f"a{n}.{name}")).value
                      if answers.get((question.id, f"a{n}.{name}")) else "")
               for name, _ in ACTION_FIELDS}
        rows.append(row)
    return rows


# --- progress -------------------------------------------------------------------------------


def plan_progress_for(attendee_ids) -> dict[int, str]:
    """``{attendee id: "not started" | "started" | "completed"}``: status only, never content."""
    ids = list(attendee_ids)
    progress = dict.fromkeys(ids, "not started")
    if not ids:
        return progress
    for plan in db.session.scalars(select(ActionPlan).where(ActionPlan.attendee_id.in_(ids))):
        progress[plan.attendee_id] = plan.status
    return progress


def registered_attendees(event: Event) -> list[Attendee]:
    return list(db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id, Attendee.status == "registered")
        .order_by(Attendee.last_name, Attendee.first_name)))


def progress_counts(statuses) -> dict[str, int]:
    counts = {"people": 0, "started": 0, "completed": 0}
    for status in statuses:
        counts["people"] += 1
        if status != "not started":
            counts["started"] += 1
        if status == "completed":
            counts["completed"] += 1
    return counts


def progress_by(attendees: list[Attendee], progress: dict[int, str], label_of) -> list[tuple]:
    groups: dict[str, list[str]] = defaultdict(list)
    for attendee in attendees:
        groups[label_of(attendee) or "—"].append(progress.get(attendee.id, "not started"))
    return sorted(((label, progress_counts(s)) for label, s in groups.items()),
                  key=lambda row: natural_key(row[0]))  # Table 2 before Table 10


def count_plans(event: Event) -> dict[str, int]:
    base = select(func.count(ActionPlan.id)).where(ActionPlan.event_id == event.id,
                                                   ActionPlan.attendee_id.is_not(None))
    return {
        "started": db.session.scalar(base.where(ActionPlan.started_at.is_not(None))) or 0,
        "completed": db.session.scalar(base.where(ActionPlan.completed_at.is_not(None))) or 0,
        "team": db.session.scalar(select(func.count(ActionPlan.id)).where(
            ActionPlan.event_id == event.id, ActionPlan.organization_id.is_not(None))) or 0,
    }


def take_back_items(attendee_id: int) -> list[tuple[str, str]]:
    """``[(key, text)]``: what an attendee said they would take back to their district, one
    item per line of the "take back" answer and one per action's first step, with stable keys
    (``take_back:<n>``, ``action:<n>``) that later notes can refer to."""
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.attendee_id == attendee_id))
    if plan is None:
        return []
    items: list[tuple[str, str]] = []
    for answer in sorted(plan.answers, key=lambda a: (a.question_id, a.field)):
        key = answer.question.key
        if key == "take_back" and answer.field == "":
            lines = [" ".join(line.split()) for line in answer.value.splitlines()]
            items += [(f"take_back:{n}", line[:300])
                      for n, line in enumerate((x for x in lines if x), 1)]
        elif (answer.question.kind == "actions" and answer.field.endswith(".first_step")
              and answer.value.strip()):
            number = answer.field.split(".", 1)[0][1:]
            items.append((f"action:{number}", " ".join(answer.value.split())[:300]))
    return items
