"""A real SMTP server (aiosmtpd) on a free port; it can refuse the next messages on demand."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.refusals: list[str] = []  # answers to give to the next DATA commands

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            return self.refusals.pop(0)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def app_config(smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False,
            "MAIL_FROM": "AI Summit <summit@example.org>", "JOBS_RETRY_BASE_SECONDS": 30}
