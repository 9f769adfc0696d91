"""The attendee's personal link: the private address that signs them in to My summit."""

from __future__ import annotations

from summit.registration.models import Attendee
from summit.urls import absolute_url


def personal_link(attendee: Attendee) -> str:
    return absolute_url("registration.personal_link", secret=attendee.personal_secret)
