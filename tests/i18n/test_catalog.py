"""The French catalog: complete, compiled, and in step with the code.

``make translations`` re-extracts, updates and compiles; these tests fail when someone wraps a
new string and forgets to translate it or to commit the compiled ``.mo``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "summit/translations/fr/LC_MESSAGES/messages.po"
MO = ROOT / "summit/translations/fr/LC_MESSAGES/messages.mo"
ATTENDEE_SOURCES = ("templates/registration/", "templates/events/", "templates/errors/",
                    "templates/messages/", "templates/plans/", "templates/base.html",
                    "summit/registration/", "summit/plans/", "summit/messages/",
                    "templates/breakouts/", "templates/selfcheckin/", "templates/checkin/",
                    "templates/homerooms/_my_panel.html", "templates/privacy/_my_panel.html",
                    "summit/breakouts/", "summit/selfcheckin/")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _po():
    with PO.open("rb") as fh:
        return read_po(fh, locale="fr")


def _key(value):
    """Plural entries (``ngettext``) have a tuple (or, from a .mo, a list) id and string."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _texts(value) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _translations(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id and not m.fuzzy}


def test_compiled_catalog_matches_the_po(tmp_path):
    out = tmp_path / "messages.mo"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(PO),
                    "-o", str(out), "--use-fuzzy"], check=True, capture_output=True)
    with out.open("rb") as fresh, MO.open("rb") as committed:
        assert _translations(read_mo(committed)) == _translations(read_mo(fresh)), (
            "messages.mo is out of date: run `make translations` and commit the .mo")


def test_every_attendee_message_is_translated():
    catalog = _po()
    empty, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        attendee_facing = any(path.startswith(ATTENDEE_SOURCES)
                              for path, _line in message.locations)
        if not all(_texts(message.string)) and attendee_facing:
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not empty, f"French translation missing for: {empty}"
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy}"


def test_placeholders_survive_translation():
    for message in _po():
        if message.id and message.string:
            expected = sorted(set(PLACEHOLDER.findall(" ".join(_texts(message.id)))))
            for text in _texts(message.string):
                if text:
                    assert sorted(set(PLACEHOLDER.findall(text))) == expected, message.id


def test_catalog_holds_every_string_the_code_marks(tmp_path):
    """Extract again: a string wrapped in _() but missing from the .po fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "lazy_gettext", "-k", "_l", "-k", "N_",
                    "-o", str(pot), "--omit-header", "."],
                   check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as fh:
        extracted = {_key(m.id) for m in read_po(fh) if m.id}
    translated = {mid for mid, text in _translations(_po()).items() if all(_texts(text))}
    assert not extracted - translated, (
        f"not in the French catalog (run `make translations`): {sorted(extracted - translated)}")
