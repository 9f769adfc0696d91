"""A real SMTP server (aiosmtpd) on a free port. It can refuse the next messages, refuse
every message for a while, or stall: hold each client at MAIL FROM, before any content is
sent, until released."""

from __future__ import annotations

import asyncio
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.refusals: list[str] = []  # answers to give to the next DATA commands
        self.mail_answer: str | None = None  # e.g. "421 ...": refuse every MAIL FROM
        self.stalled = False  # hold every MAIL FROM without an answer while True
        self.waiting = 0  # clients held right now
        self.mail_commands = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_commands += 1
        self.waiting += 1
        try:
            while self.stalled:
                await asyncio.sleep(0.02)
        finally:
            self.waiting -= 1
        if self.mail_answer:
            return self.mail_answer
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

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
    handler.stalled = False
    controller.stop()


@pytest.fixture
def app_config(smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False,
            "MAIL_FROM": "AI Summit <summit@example.org>", "JOBS_RETRY_BASE_SECONDS": 30}
