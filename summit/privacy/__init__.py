"""Privacy by design: every capability declares the personal data it holds.

``registry`` keeps the providers each capability adds in its ``init_app``; ``services`` exports
and erases a person across all of them; ``tally`` keeps anonymous check-in counts of erased
people so statistics stay right. Other capabilities use ``summit.privacy.api``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The attendee's "My data" panel, the organizer's retention panel, the purge command and
    the providers for the data every event has (check-ins, history, the registration)."""
    from summit import panels
    from summit.privacy import cli, foundation, views
    from summit.privacy.registry import add_provider

    app.register_blueprint(views.bp)
    cli.register(app)
    for provider in (foundation.History, foundation.Registration, foundation.DistrictTeam):
        add_provider(provider)
    panels.add_my_summit_panel(views.my_data_panel, order=90)
    panels.add_event_home_panel(views.retention_panel, order=90)
