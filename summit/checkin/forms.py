"""What the check-in desk and the kiosk post with a scan: the code read, where it was read,
and for a scan queued offline, its nonce and when it was read. Nothing is refused here: the
check-in rule (summit/checkin/rules.py) answers red for a code it does not know. And the
*Undo this scan* button, which sends back the nonce of the scan it undoes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from summit.checkin import services
from summit.forms import WholeNumber, cut

MAX_CODE = 2048


class ScanForm(FlaskForm):
    code = StringField(filters=[cut(MAX_CODE, strip=False)])
    source = HiddenField()  # one of services.SOURCES, else "desk"
    nonce = HiddenField(filters=[cut(services.NONCE_MAX, strip=False)])  # queued offline
    scanned_at = WholeNumber()  # milliseconds since 1970, for a queued scan

    @property
    def source_or_desk(self) -> str:
        return self.source.data if self.source.data in services.SOURCES else "desk"


class UndoScanForm(FlaskForm):
    """*Undo this scan*: the nonce of the scan whose check-in is taken back (a nonce that
    created no check-in undoes nothing, ``services.undo_scan``)."""

    scan = HiddenField()
