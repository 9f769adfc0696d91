"""Panels and links that capabilities add to shared pages ("My summit", the organizer's event
home and its navigation).

A capability adds them in its ``init_app``, so the page that shows them never imports it::

    panels.add_my_summit_panel(views.agenda_panel, order=30)
    panels.add_nav_item(30, "Breakouts", "breakouts.schedule", ("organizer",))

A panel is a function that returns rendered HTML, or ``None`` to show nothing.
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
_EVENT_HOME: list[Panel] = []
_EVENT_NAV: list[tuple[int, str, str, tuple[str, ...]]] = []


def _add(panels: list[Panel], render: Callable[..., str | None], order: int) -> None:
    # init_app runs once per application; tests build many applications in one process.
    if not any(p.render is render for p in panels):
        panels.append(Panel(order, render))


def add_my_summit_panel(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event, attendee)``: a panel on the attendee's My summit page."""
    _add(_MY_SUMMIT, render, order)


def add_event_home_panel(render: Callable[..., str | None], order: int = 50) -> None:
    """``render(event)``: a panel on the organizer's event overview."""
    _add(_EVENT_HOME, render, order)


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


def event_home_panels(event) -> list[Markup]:
    return render_panels(_EVENT_HOME, event)


def event_nav(event, user) -> list[tuple[str, str]]:
    return [(label, endpoint) for order, label, endpoint, roles in sorted(_EVENT_NAV)
            if user.has_role(event.id, *roles)]
