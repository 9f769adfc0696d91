"""Panels that capabilities add to shared pages ("My summit", the organizer's event home).

A capability registers a function that returns rendered HTML (or ``None`` to show nothing):

    @my_summit_panel(order=20)
    def agenda_panel(event, attendee):
        return render_template("breakouts/_my_agenda.html", ...)

so the registration code never imports the later capabilities.
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


def my_summit_panel(order: int = 50):
    def decorator(fn):
        if not any(p.render.__qualname__ == fn.__qualname__ for p in _MY_SUMMIT):
            _MY_SUMMIT.append(Panel(order, fn))
        return fn

    return decorator


def event_home_panel(order: int = 50):
    def decorator(fn):
        if not any(p.render.__qualname__ == fn.__qualname__ for p in _EVENT_HOME):
            _EVENT_HOME.append(Panel(order, fn))
        return fn

    return decorator


def event_nav_item(order: int, label: str, endpoint: str, roles: tuple[str, ...]) -> None:
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
