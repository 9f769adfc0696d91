"""Panels, facts, labels and links that capabilities add to shared pages ("My summit", the
check-in desk, the public event page, the organizer's event home and its navigation).

A capability adds them in its ``init_app``, so the page that shows them never imports it::

    panels.add_my_summit_panel(views.agenda_panel, order=30)
    panels.add_my_summit_fact(views.homeroom_fact, order=20)
    panels.add_attendee_labels("homeroom", services.table_labels_for)
    panels.add_nav_item(20, "Breakouts", "breakouts.schedule", ("organizer",), group="program")
    panels.add_next_steps(next_steps.for_organizers)
    panels.add_event_page_section("program", views.program_section, order=10)
    panels.add_session_results(views.session_results_panel, order=20)
    panels.add_session_link(views.live_link, order=20)

A panel or a fact is a function that returns rendered HTML, or ``None`` to show nothing.

The organizer's navigation follows the order in which an organizer works: ``NAV_GROUPS``
(before the event, the program, on the day, after). Every item names its group. Organizers see
the organizer pages, grouped; other staff see only the pages of the roles they hold (their own
table, their sessions, the desk), grouped the same way, or as one short list when they have
``FLAT_NAV_MAX`` pages or fewer.

The overview says what to do next: each capability adds a function ``steps(event)`` that
returns ``NextStep`` items computed from the event's state ("346 registered, no tables yet:
add tables"), most urgent first across capabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from summit.database import utcnow


@dataclass(frozen=True)
class Panel:
    order: int
    render: Callable[..., str | None]


_MY_SUMMIT: list[Panel] = []
_MY_SUMMIT_FACTS: list[Panel] = []
_EVENT_HOME: list[Panel] = []
_LABELS: dict[str, Callable[..., dict[int, str]]] = {}
_EVENT_NAV: list[NavItem] = []
_NEXT_STEPS: list[Callable[..., list[NextStep]]] = []

# (key, label): the organizer's working order.
NAV_GROUPS = (("before", "Before"), ("program", "Program"), ("day", "On the day"),
              ("after", "After"))
FLAT_NAV_MAX = 4


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str
    endpoint: str
    roles: tuple[str, ...]
    group: str


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    items: tuple[NavItem, ...]


@dataclass(frozen=True)
class EventNav:
    """What one staff member's event navigation shows: ``groups`` (each with at least one
    item), or one ``flat`` list when there are few pages."""

    groups: tuple[NavGroup, ...]
    flat: bool

    @property
    def items(self) -> list[NavItem]:
        return [item for group in self.groups for item in group.items]

    def group_of(self, endpoint: str | None) -> NavGroup | None:
        return next((g for g in self.groups if any(i.endpoint == endpoint for i in g.items)),
                    None)


# How urgent a next step is: shown in this order, most urgent first.
URGENCIES = ("now", "soon", "later", "done")


@dataclass(frozen=True)
class NextStep:
    """One line of the overview's "What to do next": ``text`` says the state and what to do
    ("Seats for 300 of 346: add tables"), ``action`` is the link's words and ``endpoint`` its
    page (``None``: no link). ``urgency`` is one of ``URGENCIES``; ``order`` breaks ties."""

    text: str
    action: str = ""
    endpoint: str | None = None
    urgency: str = "soon"
    order: int = 50
    anchor: str = ""
_EVENT_PAGE: dict[str, Panel] = {}
_SESSION_RESULTS: list[Panel] = []
_SESSION_LINKS: list[Panel] = []


def _add(panels: list[Panel], render: Callable[..., str | None], order: int) -> None:
    # init_app runs once per application; tests build many applications in one process.
    if not any(p.render is render for p in panels):
        panels.append(Panel(order, render))


def add_my_summit_panel(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event, attendee)``: a panel on the attendee's My summit page."""
    _add(_MY_SUMMIT, render, order)


def add_my_summit_fact(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event, attendee)``: a ``<dt>``/``<dd>`` pair in My summit's summary."""
    _add(_MY_SUMMIT_FACTS, render, order)


def add_attendee_labels(name: str, provide: Callable[..., dict[int, str]]) -> None:
    """``provide(event, attendee_ids, day)``: ``{attendee_id: label}`` for the people who have
    one (e.g. ``"homeroom"``: "Table 12 (Hall B)")."""
    _LABELS[name] = provide


def attendee_labels(name: str, event, attendee_ids, day: int) -> dict[int, str]:
    """The labels ``name`` for these attendees on ``day``; none if no capability gives them."""
    provide = _LABELS.get(name)
    return provide(event, list(attendee_ids), day) if provide else {}


def add_event_home_panel(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event)``: a panel on the organizer's event overview."""
    _add(_EVENT_HOME, render, order)


def add_event_page_section(name: str, render: Callable[..., str | None],
                           order: int = 50) -> None:
    """``render(event, args)``: a section of the public event page, given the page's query
    arguments (filters). Its root element has the id ``name``: an htmx request of the event
    page that targets that id (``HX-Target``) is answered with the section alone."""
    _EVENT_PAGE.setdefault(name, Panel(order, render))


def event_page_sections(event, args) -> list[Markup]:
    return render_panels(list(_EVENT_PAGE.values()), event, args)


def event_page_section(name: str, event, args) -> Markup | None:
    """The section ``name`` alone (the fragment of an htmx request), or ``None``."""
    panel = _EVENT_PAGE.get(name)
    html = panel.render(event, args) if panel is not None else None
    return Markup(html) if html else None


def add_session_results(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event, key)``: what a capability holds about one session or block once it is
    over, shown on the after-action pages (the feedback results); ``key`` is ``s<id>`` for a
    breakout session or ``b<id>`` for a plenary block."""
    _add(_SESSION_RESULTS, render, order)


def session_results(event, key: str) -> list[Markup]:
    return render_panels(_SESSION_RESULTS, event, key)


def add_session_link(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event, key)``: a link an attendee's agenda shows with one session (``key``
    as for ``add_session_results``), such as its live Q&A page."""
    _add(_SESSION_LINKS, render, order)


def session_links(event, key: str) -> Markup:
    """Every capability's links for one session, for templates (``session_links(event, key)``)."""
    return Markup(" ").join(render_panels(_SESSION_LINKS, event, key))


def add_nav_item(order: int, label: str, endpoint: str, roles: tuple[str, ...], *,
                 group: str) -> None:
    """A link in the event navigation, in ``group`` (a key of ``NAV_GROUPS``), shown to staff
    holding one of ``roles`` (organizers see the items that name ``"organizer"``)."""
    if group not in dict(NAV_GROUPS):
        raise ValueError(f"Navigation group {group!r} for {endpoint}: use one of "
                         f"{', '.join(dict(NAV_GROUPS))}.")
    if not any(item.endpoint == endpoint for item in _EVENT_NAV):
        _EVENT_NAV.append(NavItem(order, label, endpoint, tuple(roles), group))


def add_next_steps(steps: Callable[..., list[NextStep]]) -> None:
    """``steps(event)``: what the organizer should do next about this capability, computed
    from the event's state (an empty list when nothing is waiting)."""
    if not any(s is steps for s in _NEXT_STEPS):
        _NEXT_STEPS.append(steps)


def render_panels(panels: list[Panel], *args) -> list[Markup]:
    out = []
    for panel in sorted(panels, key=lambda p: p.order):
        html = panel.render(*args)
        if html:
            out.append(Markup(html))
    return out


def my_summit_panels(event, attendee) -> list[Markup]:
    return render_panels(_MY_SUMMIT, event, attendee)


def my_summit_facts(event, attendee) -> list[Markup]:
    return render_panels(_MY_SUMMIT_FACTS, event, attendee)


def event_home_panels(event) -> list[Markup]:
    return render_panels(_EVENT_HOME, event)


def nav_for_roles(held: set[str]) -> EventNav:
    """The navigation of someone holding ``held`` roles for an event.

    Organizers see the organizer pages (facilitator-only pages such as "My table" are the
    facilitators'); everyone else sees the pages of the roles they hold."""
    wanted = {"organizer"} if "organizer" in held else set(held)
    shown = sorted((i for i in _EVENT_NAV if wanted.intersection(i.roles)),
                   key=lambda i: (i.order, i.label))
    groups = tuple(NavGroup(key, label, tuple(i for i in shown if i.group == key))
                   for key, label in NAV_GROUPS)
    groups = tuple(g for g in groups if g.items)
    return EventNav(groups=groups, flat="organizer" not in held and len(shown) <= FLAT_NAV_MAX)


def event_nav(event, user) -> EventNav:
    return nav_for_roles(user.roles_for(event.id))


def days_to_start(event, now=None) -> int:
    """Days from today (in the event's time zone) to its first day: 1 the day before, 0 on
    the first day, negative once it has begun."""
    today = (now or utcnow()).astimezone(event.tz).date()
    return (event.start_date - today).days


def event_over(event, now=None) -> bool:
    """Whether the event's last day has passed."""
    return days_to_start(event, now) < 1 - max(event.days, 1)


def next_steps(event) -> list[NextStep]:
    """Every capability's next steps for ``event``, most urgent first."""
    steps = [step for provide in _NEXT_STEPS for step in provide(event) or ()]
    return sorted(steps, key=lambda s: (URGENCIES.index(s.urgency), s.order))
