"""Every posted form is read through a Flask-WTF form class (summit/forms.py and each
capability's forms.py), never by hand from ``request.form``: the form class holds the
defaults, the validation and its messages, and gives back what was typed on a refusal.

The few modules below read ``request.form`` before any view runs; each says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import summit

PACKAGE = Path(summit.__file__).parent

ALLOWED = {
    # The input guard refuses a NUL character in any posted value, before any view or form.
    "__init__.py": "refuses NUL characters in every posted value before any view runs",
    # The "email" rate-limit key is computed before the view (the limit is decided first),
    # from the posted address; only a digest of it is kept.
    "ratelimits.py": "the per-email rate-limit key, computed before the view runs",
}


def _reads_of_request_form(source: str) -> list[int]:
    """Line numbers where ``request.form`` is used (``flask.request`` or ``request``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr == "form"
                and isinstance(node.value, ast.Name) and node.value.id == "request"):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_module_reads_request_form_by_hand():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ALLOWED:
            continue
        for line in _reads_of_request_form(path.read_text(encoding="utf-8")):
            found.append(f"summit/{relative}:{line}")
    assert not found, (
        "Read posted values through a Flask-WTF form class (see summit/forms.py), not "
        "request.form: " + ", ".join(found))


def test_the_allowed_reads_still_exist():
    """An allowance that is no longer needed goes: the list stays short and true."""
    for relative in ALLOWED:
        assert _reads_of_request_form((PACKAGE / relative).read_text(encoding="utf-8")), (
            f"summit/{relative} no longer reads request.form: remove it from ALLOWED")


def test_the_check_sees_the_usual_spellings():
    source = ("from flask import request\n"
              "a = request.form['x']\n"
              "b = request.form.get('y')\n"
              "c = parse(request.form)\n")
    assert _reads_of_request_form(source) == [2, 3, 4]
