"""Panels, facts, labels and links that capabilities add to shared pages ("My summit", the
check-in desk, the public event page, the organizer's event home and its navigation).

A capability adds them in its ``init_app``, so the page that shows them never imports it::

    panels.add_my_summit_panel(views.agenda_panel, order=30)
    panels.add_my_summit_fact(views.homeroom_fact, order=20)
    panels.add_attendee_labels("homeroom", services.table_labels_for)
    panels.add_nav_item(30, "Breakouts", "breakouts.schedule", ("organizer",))
    panels.add_event_page_section("program", views.program_section, order=10)

A panel or a fact is a function that returns rendered HTML, or ``None`` to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Panel:
    order: int
    render: Callable[..., str | None]


_MY_SUMMIT: list[Panel] = []
_MY_SUMMIT_FACTS: list[Panel] = []
_EVENT_HOME: list[Panel] = []
_LABELS: dict[str, Callable[..., dict[int, str]]] = {}
_EVENT_NAV: list[tuple[int, str, str, tuple[str, ...]]] = []
_EVENT_PAGE: dict[str, Panel] = {}


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


def add_nav_item(order: int, label: str, endpoint: str, roles: tuple[str, ...]) -> None:
    """A link in the organizer's event navigation, shown to staff holding one of ``roles``."""
    if not any(item[2] == endpoint for item in _EVENT_NAV):
        _EVENT_NAV.append((order, label, endpoint, roles))


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


def event_nav(event, user) -> list[tuple[str, str]]:
    return [(label, endpoint) for order, label, endpoint, roles in sorted(_EVENT_NAV)
            if user.has_role(event.id, *roles)]
