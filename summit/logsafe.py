"""Redact secrets (personal links, check-in codes) from anything written to logs.

``redact`` rewrites ``/me/<secret>``, ``/c/<code>`` and ``/k/<code>`` wherever such a path starts
(start of text, after a space or quote, or after ``scheme://host``), whatever the length or case
of the secret: even half of a personal link must not reach a log. ``RedactFilter`` applies it to
a log record's formatted message (werkzeug's and gunicorn's access lines included).
"""

from __future__ import annotations

import logging
import re

_SECRET_PATH = re.compile(
    r"""(^|[\s"'(=,\[]|://[^/\s"']+)/(me|c|k)/[^/?#\s"'\[\]]+""", re.IGNORECASE
)


def redact(text: str) -> str:
    return _SECRET_PATH.sub(lambda m: f"{m.group(1)}/{m.group(2)}/[redacted]", text)


class RedactFilter(logging.Filter):
    """Keep personal links and check-in codes out of a logger's or handler's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken record: let logging report it as usual
        record.msg = redact(message)
        record.args = ()
        return True
