"""Helpers for the property-based fuzz: who may call a route, what its form fields are, what
values to throw at them, and a count of the rows of every table.

Everything is discovered from the app itself (``app.url_map``, each view's access declaration,
its source and form classes, and the forms on the app's own GET pages), so a route added later
is fuzzed without anyone listing it here.
"""

from __future__ import annotations

import inspect
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import strategies as st
from sqlalchemy import text
from wtforms.fields.core import UnboundField

from summit.access import ATTENDEE_SESSION_KEY, secret_fingerprint
from summit.extensions import db

# --- values -----------------------------------------------------------------------------------

NASTY = [
    "", " ", "0", "-1", "1", "2", "99999999999999999999999", "1e309", "NaN", "-0", "0x10",
    "null", "true", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", '"', "\\",
    "\x00", "a\x00b", "\r\n", "\t", "\x1b[31m", "\x7f", "../../etc/passwd", "%00", "%ff",
    "\u202e\u0645", "\ufeff", "😀" * 20, "Zoë O'Brien", "x" * 5_000, "y" * 100_000,
    "2027-02-30", "2027-03-01", "25:99", "09:00", "-5", "3.5", "javascript:alert(1)",
    "https://example.org/", "/e/x", "a@example.org", "everyone:", "registered", "cancel",
]

plain_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
control_text = st.text(st.characters(codec="ascii", categories=("Cc",)), min_size=1,
                       max_size=20)


def value_strategy(known: list[str]) -> st.SearchStrategy:
    """One form value: nasty constants, arbitrary unicode, control characters, numbers, ids
    that exist in the test world, and values the page itself offered."""
    options = [st.sampled_from(NASTY), plain_text, control_text,
               st.integers(-(2**63), 2**64).map(str)]
    if known:
        options.append(st.sampled_from(known))
    return st.one_of(*options)


def field_strategy(known: list[str]) -> st.SearchStrategy:
    single = value_strategy(known)
    return st.one_of(single, single, single, st.lists(single, min_size=2, max_size=3))


def form_strategy(fields: dict[str, list[str]], files: set[str],
                  known: list[str]) -> st.SearchStrategy:
    """A form body: any subset of the real fields (missing fields too), multi-valued fields,
    a few unknown extra fields; file fields get arbitrary bytes."""
    optional = {}
    for name, offered in fields.items():
        if name == "csrf_token":
            continue
        if name in files:
            optional[name] = st.binary(max_size=3000)
        else:
            optional[name] = field_strategy(sorted(set(offered) | set(known)))
    extras = st.dictionaries(st.text(st.characters(codec="ascii", categories=("L", "N")),
                                     min_size=1, max_size=12), value_strategy(known), max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=optional), extras).map(
        lambda pair: {**pair[1], **pair[0]})


def json_strategy() -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        plain_text, st.sampled_from(NASTY))
    anything = st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(plain_text, inner, max_size=4)),
        max_leaves=12)
    shaped = st.fixed_dictionaries({}, optional={"code": anything, "nonce": anything,
                                                 "source": anything, "at": anything})
    return st.one_of(anything, shaped, shaped)


# --- discovery ----------------------------------------------------------------------------------

_SOURCE_FIELD = re.compile(
    r"request\.(?:form|values|files)(?:\.get(?:list)?\(\s*|\[\s*)[\"']([\w\-\[\]]+)[\"']")
_FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\b")
_HELPER_CALL = re.compile(r"\b(_[a-z][a-z_0-9]*)\(")


def form_class_fields(cls) -> dict[str, str]:
    """Field name -> field class name of a WTForms class (without instantiating it)."""
    out = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, UnboundField):  # its HTML name may differ (name="from")
                out[value.kwargs.get("name") or name] = value.field_class.__name__
    return out


def source_fields(view) -> tuple[set[str], set[str]]:
    """Field names a view reads (``request.form.get("x")``, its WTForms classes), and which of
    them are file fields."""
    fn = inspect.unwrap(view)
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return set(), set()
    # The module's private helpers it calls (a view often builds its form in one).
    for helper_name in set(_HELPER_CALL.findall(source)):
        helper = fn.__globals__.get(helper_name)
        if inspect.isfunction(helper) and helper.__module__ == fn.__module__:
            source += "\n" + inspect.getsource(helper)
    names = set(_SOURCE_FIELD.findall(source))
    files = {n for n in names if f'files.get("{n}")' in source or f"files['{n}']" in source}
    for cls_name in _FORM_CLASS.findall(source):
        cls = fn.__globals__.get(cls_name)
        if isinstance(cls, type) and hasattr(cls, "__mro__"):
            for name, kind in form_class_fields(cls).items():
                names.add(name)
                if kind in ("FileField", "MultipleFileField"):
                    files.add(name)
    return names, files


class FormScraper(HTMLParser):
    """Forms on a page: action (or hx-post) -> field names with the values offered."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: dict[str, dict[str, list[str]]] = {}
        self.files: set[tuple[str, str]] = set()
        self._stack: list[str | None] = []  # actions of open <form>s
        self._select: str | None = None

    def _target(self, attrs: dict) -> str | None:
        target = attrs.get("hx-post") or attrs.get("action")
        if target is None and "method" in attrs:
            target = self.page_path
        return urlsplit(target).path if target is not None else None

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v or "") for k, v in attrs_list}
        if tag == "form":
            method = attrs.get("method", "get").lower()
            target = self._target(attrs) if (method == "post" or "hx-post" in attrs) else None
            self._stack.append(target)
            if target:
                self.forms.setdefault(target, {})
            return
        current = next((t for t in reversed(self._stack) if t), None)
        own = urlsplit(attrs["hx-post"]).path if "hx-post" in attrs else None
        for target in {t for t in (current, own) if t}:
            self.forms.setdefault(target, {})
            name = attrs.get("name")
            if tag in ("input", "select", "textarea", "button") and name:
                values = self.forms[target].setdefault(name, [])
                if attrs.get("value"):
                    values.append(attrs["value"])
                if attrs.get("type") == "file":
                    self.files.add((target, name))
                if tag == "select":
                    self._select = target + "\0" + name
        if tag == "option" and self._select and attrs.get("value"):
            target, name = self._select.split("\0")
            self.forms[target][name].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form" and self._stack:
            self._stack.pop()
        elif tag == "select":
            self._select = None


# --- sessions -----------------------------------------------------------------------------------


def client_for(app, role: str, world, users: dict):
    """A fresh test client signed in as ``role`` (no request needed: the session is written)."""
    from summit.auth.models import StaffUser

    client = app.test_client()
    with client.session_transaction() as sess:
        if role == "attendee":
            from summit.registration.models import Attendee

            amber = db.session.get(Attendee, world.amber_id)
            sess[ATTENDEE_SESSION_KEY] = {
                str(world.event_id): [amber.id, secret_fingerprint(amber.personal_secret)]}
        elif role == "anonymous":
            sess["kiosk"] = {"event_id": world.event_id, "by": None, "id": "fuzz"}
        else:
            user = db.session.get(StaffUser, users[role])
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
    return client


def role_for(access) -> str:
    if access.kind == "public":
        return "anonymous"
    if access.kind == "attendee":
        return "attendee"
    if access.kind == "event_role" and "organizer" not in access.roles \
            and "checkin" in access.roles:
        return "checkin"
    if access.kind == "global_role":
        return "global"
    if access.kind == "api":
        return "api"
    return "organizer"


# --- the database ------------------------------------------------------------------------------


_COUNT_SQL: dict[str, str] = {}


def row_counts() -> dict[str, int]:
    """Rows in every table, in one query (its SQL is built once per dialect)."""
    dialect = db.engine.dialect.name
    if dialect not in _COUNT_SQL:
        _COUNT_SQL[dialect] = " UNION ALL ".join(
            f"SELECT '{t.name}', COUNT(*) FROM \"{t.name}\"" for t in db.metadata.sorted_tables)
    rows = db.session.execute(text(_COUNT_SQL[dialect])).all()
    db.session.commit()
    return {name: n for name, n in rows}
