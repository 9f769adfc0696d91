"""Badge rules: what a badge prints, which attendees a batch takes, print records, corrections
and the event logo. No Flask import: callers pass ``base_url`` and the acting user.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from summit import audit
from summit.badges.models import RIBBONS, BadgeBatch, BadgeOverride, BadgePrint, BadgeSettings
from summit.badges.stocks import STOCKS, get_stock
from summit.database import require_no_transaction, utcnow, write_transaction
from summit.events.models import Event, Organization
from summit.extensions import db
from summit.homerooms.api import table_labels_for
from summit.registration.api import Attendee

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 1200  # longest side kept; a badge logo is about an inch wide
LOGO_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
CORRECTABLE = ("first_name", "last_name", "organization", "ribbon")


class BadgeError(Exception):
    """Something the person can fix, with a message for them."""


# --- settings and logo ----------------------------------------------------------------------


def settings_for(event: Event, *, create: bool = False) -> BadgeSettings | None:
    settings = db.session.scalar(select(BadgeSettings).where(BadgeSettings.event_id == event.id))
    if settings is None and create:
        settings = BadgeSettings(event_id=event.id)
        db.session.add(settings)
        db.session.flush()
    return settings


def stock_or_default(slug: str | None, default: str) -> str:
    return slug if slug in STOCKS else default


def batch_stock(event: Event) -> str:
    settings = settings_for(event)
    return stock_or_default(settings.batch_stock if settings else None, "avery-5392")


def desk_stock(event: Event) -> str:
    settings = settings_for(event)
    return stock_or_default(settings.desk_stock if settings else None, "thermal-4x6")


def normalize_logo(data: bytes) -> tuple[bytes, int, int]:
    """Check that ``data`` is a real PNG/JPEG/GIF/WebP image and re-encode it as a PNG no
    larger than ``LOGO_MAX_PIXELS`` (metadata dropped, small PDFs). Raises ``BadgeError``."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise BadgeError("Choose an image file to upload.")
    if len(data) > LOGO_MAX_BYTES:
        raise BadgeError(f"The logo is too large ({len(data) / 1048576:.1f} MB); the limit is "
                         f"{LOGO_MAX_BYTES // 1048576} MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in LOGO_FORMATS:
            raise BadgeError("Upload the logo as a PNG, JPEG, GIF or WebP image.")
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            image.load()
            converted = image.convert("RGBA")
    except BadgeError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError) as exc:
        raise BadgeError("That file is not an image we can read. Upload the logo as a PNG, "
                         "JPEG, GIF or WebP image.") from exc
    converted.thumbnail((LOGO_MAX_PIXELS, LOGO_MAX_PIXELS))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return out.getvalue(), converted.width, converted.height


def set_logo(event: Event, data: bytes) -> BadgeSettings:
    png, width, height = normalize_logo(data)
    settings = settings_for(event, create=True)
    replaced = settings.logo_mime is not None
    settings.logo, settings.logo_mime = png, "image/png"
    settings.logo_width, settings.logo_height = width, height
    settings.logo_updated_at = utcnow()
    audit.record("badges.logo_replaced" if replaced else "badges.logo_added", event_id=event.id,
                 target=event, after={"width": width, "height": height, "bytes": len(png)})
    return settings


def remove_logo(event: Event) -> bool:
    settings = settings_for(event)
    if settings is None or settings.logo_mime is None:
        return False
    settings.logo = settings.logo_mime = settings.logo_width = settings.logo_height = None
    settings.logo_updated_at = utcnow()
    audit.record("badges.logo_removed", event_id=event.id, target=event)
    return True


def set_stocks(event: Event, *, batch: str | None = None, desk: str | None = None) -> None:
    settings = settings_for(event, create=True)
    if batch is not None:
        settings.batch_stock = get_stock(batch).slug
    if desk is not None:
        settings.desk_stock = get_stock(desk).slug


# --- what a badge prints ----------------------------------------------------------------------


def badge_event(event: Event):
    from summit.badges.render import BadgeEvent

    settings = settings_for(event)
    logo = settings.logo if settings is not None and settings.logo_mime else None
    return BadgeEvent(event.name, logo=logo, logo_mime="image/png" if logo else None)


def overrides_for(attendee_ids: Sequence[int]) -> dict[int, BadgeOverride]:
    found: dict[int, BadgeOverride] = {}
    ids = list(attendee_ids)
    for i in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        for row in db.session.scalars(
            select(BadgeOverride).where(BadgeOverride.attendee_id.in_(ids[i:i + 900]))
        ):
            found[row.attendee_id] = row
    return found


def override_for(attendee: Attendee) -> BadgeOverride | None:
    return db.session.scalar(
        select(BadgeOverride).where(BadgeOverride.attendee_id == attendee.id))


def badge_text(attendee: Attendee, override: BadgeOverride | None) -> dict[str, str]:
    """The names, organization and ribbon that print, corrections applied."""
    o = override
    return {
        "first_name": (o and o.first_name) or attendee.first_name,
        "last_name": (o and o.last_name) or attendee.last_name,
        "organization": (o and o.organization) or attendee.organization_name,
        "ribbon": (o and o.ribbon) or "",
    }


def badge_data(event: Event, attendees: Sequence[Attendee], base_url: str) -> list:
    """``BadgeData`` for ``attendees`` in order: three queries whatever their number."""
    from summit.badges.render import BadgeData

    ids = [a.id for a in attendees]
    overrides = overrides_for(ids)
    homerooms = table_labels_for(event, ids, day=1) if ids else {}
    out = []
    for a in attendees:
        text = badge_text(a, overrides.get(a.id))
        out.append(BadgeData(
            first_name=text["first_name"], last_name=text["last_name"],
            organization=text["organization"], state=a.state, role=a.role or "",
            checkin_url=a.checkin_url(base_url), homeroom=homerooms.get(a.id),
            ribbon=text["ribbon"] or None, attendee_id=a.id,
        ))
    return out


def correct_badge(attendee: Attendee, changes: dict[str, str], *, user_id: int | None,
                  allow_ribbon: bool) -> bool:
    """Store what the badge prints instead of the registration data; logged. Returns whether
    anything changed. An empty value (or the registered value) means "as registered"."""
    override = override_for(attendee)
    before = override.as_dict() if override else {k: "" for k in CORRECTABLE}
    registered = {"first_name": attendee.first_name, "last_name": attendee.last_name,
                  "organization": attendee.organization_name, "ribbon": ""}
    after = dict(before)
    for key in CORRECTABLE:
        if key not in changes or (key == "ribbon" and not allow_ribbon):
            continue
        value = " ".join((changes[key] or "").split())
        if key == "ribbon" and value and value not in RIBBONS:
            raise BadgeError("Choose a ribbon from the list.")
        limit = 200 if key == "organization" else 100
        if len(value) > limit:
            raise BadgeError(f"Keep it under {limit} characters.")
        after[key] = "" if value == registered[key] else value
    if after == before:
        return False
    if override is None:
        override = BadgeOverride(attendee_id=attendee.id)
        db.session.add(override)
    for key, value in after.items():
        setattr(override, key, value)
    override.updated_by_user_id = user_id
    old, new = audit.diff(before, after)
    audit.record("badge.corrected", event_id=attendee.event_id, target=attendee,
                 before=old, after=new)
    return True


# --- choosing attendees -----------------------------------------------------------------------


@dataclass
class Selection:
    """Which registered attendees a batch prints."""

    organization_id: int | None = None
    role: str = ""
    registered_since: date | None = None
    only_unprinted: bool = False
    attendee_ids: tuple[int, ...] = ()  # picked by hand (the attendee list's checkboxes)

    def describe(self, event: Event) -> str:
        parts = []
        if self.attendee_ids:
            picked = len(set(self.attendee_ids))
            parts.append(f"Picked by hand ({picked} {'person' if picked == 1 else 'people'})")
        if self.organization_id:
            org = db.session.get(Organization, self.organization_id)
            parts.append(f"District: {org.name if org else '(removed)'}")
        if self.role:
            parts.append(f"Role: {self.role}")
        if self.registered_since:
            parts.append(f"Registered since {self.registered_since:%b %-d, %Y}")
        if self.only_unprinted:
            parts.append("not printed yet")
        return " · ".join(parts) or "Everyone registered"


def _unprinted_clause(event_id: int):
    return ~exists().where(BadgePrint.attendee_id == Attendee.id,
                           BadgePrint.event_id == event_id)


def _selection_query(event: Event, selection: Selection):
    stmt = select(Attendee).where(Attendee.event_id == event.id,
                                  Attendee.status == "registered")
    if selection.organization_id:
        stmt = stmt.where(Attendee.organization_id == selection.organization_id)
    if selection.role:
        stmt = stmt.where(Attendee.role == selection.role)
    if selection.registered_since:
        local_midnight = datetime.combine(selection.registered_since, time(), tzinfo=event.tz)
        stmt = stmt.where(Attendee.registered_at >= local_midnight)
    if selection.only_unprinted:
        stmt = stmt.where(_unprinted_clause(event.id))
    if selection.attendee_ids:
        stmt = stmt.where(Attendee.id.in_(sorted(set(selection.attendee_ids))))
    return stmt


def select_attendee_ids(event: Event, selection: Selection) -> list[int]:
    """Ids in print order: last name, first name (alphabetical pick-up tables)."""
    stmt = _selection_query(event, selection).with_only_columns(Attendee.id).order_by(
        func.lower(Attendee.last_name), func.lower(Attendee.first_name), Attendee.id)
    return list(db.session.scalars(stmt))


def count_selection(event: Event, selection: Selection) -> int:
    stmt = _selection_query(event, selection).with_only_columns(func.count(Attendee.id))
    return db.session.scalar(stmt) or 0


def load_attendees(event: Event, ids: Sequence[int]) -> list[Attendee]:
    """Attendees by id, in the order given, still registered."""
    found: dict[int, Attendee] = {}
    ids = list(ids)
    for i in range(0, len(ids), 900):
        for a in db.session.scalars(
            select(Attendee).options(selectinload(Attendee.organization))
            .where(Attendee.event_id == event.id, Attendee.id.in_(ids[i:i + 900]),
                   Attendee.status == "registered")
        ):
            found[a.id] = a
    return [found[i] for i in ids if i in found]


def filter_choices(event: Event) -> dict[str, list]:
    """Districts and roles among this event's registered attendees, for the batch form."""
    orgs = db.session.execute(
        select(Organization.id, Organization.name, Organization.state, func.count(Attendee.id))
        .join(Attendee, Attendee.organization_id == Organization.id)
        .where(Attendee.event_id == event.id, Attendee.status == "registered")
        .group_by(Organization.id, Organization.name, Organization.state)
        .order_by(Organization.name)
    ).all()
    roles = db.session.scalars(
        select(Attendee.role).where(Attendee.event_id == event.id,
                                    Attendee.status == "registered", Attendee.role != "")
        .distinct().order_by(Attendee.role)
    ).all()
    return {"organizations": orgs, "roles": list(roles)}


# --- batches and print records ----------------------------------------------------------------


def create_batch_record(event: Event, selection: Selection, stock: str, *,
                        user_id: int | None, source: str = "batch") -> BadgeBatch:
    """A batch of the attendees matching ``selection`` now, in print order (not queued)."""
    stock = get_stock(stock).slug
    ids = select_attendee_ids(event, selection)
    if not ids:
        raise BadgeError("No registered attendee matches this selection.")
    batch = BadgeBatch(event_id=event.id, stock=stock, description=selection.describe(event),
                       attendee_ids=ids, count=len(ids), source=source,
                       created_by_user_id=user_id)
    db.session.add(batch)
    db.session.flush()
    return batch


def create_batch(event: Event, selection: Selection, stock: str, *, user_id: int | None,
                 base_url: str, source: str = "batch") -> BadgeBatch:
    """Record a batch and queue its job (the caller commits; the job starts after)."""
    from summit.jobs import enqueue

    batch = create_batch_record(event, selection, stock, user_id=user_id, source=source)
    job = enqueue("badges.batch", event_id=event.id, created_by=user_id,
                  params={"batch_id": batch.id, "base_url": base_url})
    batch.job_id = job.id
    job.total = batch.count
    audit.record("badges.batch_requested", event_id=event.id, target=batch,
                 after={"count": batch.count, "stock": batch.stock,
                        "selection": batch.description})
    return batch


def record_prints(event: Event, attendee_ids: Sequence[int], stock: str, *, by_user_id: int | None,
                  source: str, batch: BadgeBatch | None = None) -> int:
    now = utcnow()
    if batch is not None:
        already = set(db.session.scalars(
            select(BadgePrint.attendee_id).where(BadgePrint.batch_id == batch.id)))
    else:
        already = set()
    rows = [
        {"event_id": event.id, "attendee_id": aid, "batch_id": batch.id if batch else None,
         "job_id": batch.job_id if batch else None, "by_user_id": by_user_id, "at": now,
         "stock": stock, "source": source}
        for aid in attendee_ids if aid not in already
    ]
    if rows:
        db.session.execute(BadgePrint.__table__.insert(), rows)
    return len(rows)


def run_batch(batch: BadgeBatch, *, base_url: str,
              progress: Callable[..., None] | None = None,
              processes: int | None = None) -> bytes:
    """Render ``batch``, store its PDF and record every badge as printed (commits).

    No database transaction is open while the PDF renders (it reads, commits, renders, then
    writes the result in one short write transaction), so a long batch never holds SQLite's
    write lock: the desk keeps checking people in.
    """
    from summit.badges.render import render_badges

    if batch.finished_at is not None:
        return batch.pdf
    event = db.session.get(Event, batch.event_id)
    attendees = load_attendees(event, batch.attendee_ids)
    data = badge_data(event, attendees, base_url)
    badge_ev = badge_event(event)
    stock = get_stock(batch.stock)
    batch_id, by_user = batch.id, batch.created_by_user_id
    db.session.commit()
    if progress:
        progress(0, len(data), force=True)
    require_no_transaction(db.session, "rendering badges")
    pdf = render_badges(data, badge_ev, stock, progress=progress, processes=processes)
    with write_transaction(db.session):
        batch = db.session.get(BadgeBatch, batch_id)
        batch.pdf, batch.pdf_size = pdf, len(pdf)
        batch.pages = -(-len(data) // stock.per_page)
        batch.count = len(data)
        batch.finished_at = utcnow()
        record_prints(event, [d.attendee_id for d in data], stock.slug, by_user_id=by_user,
                      source=batch.source, batch=batch)
    return pdf


def render_one(event: Event, attendee: Attendee, base_url: str, stock: str) -> bytes:
    from summit.badges.render import render_single

    data = badge_data(event, [attendee], base_url)[0]
    return render_single(data, badge_event(event), stock)


def print_history(attendee_ids: Sequence[int]) -> dict[int, list[BadgePrint]]:
    history: dict[int, list[BadgePrint]] = {}
    ids = list(attendee_ids)
    for i in range(0, len(ids), 900):
        for row in db.session.scalars(
            select(BadgePrint).where(BadgePrint.attendee_id.in_(ids[i:i + 900]))
            .order_by(BadgePrint.at.desc(), BadgePrint.id.desc())
        ):
            history.setdefault(row.attendee_id, []).append(row)
    return history


def print_counts(event: Event) -> dict[str, int]:
    registered = db.session.scalar(
        select(func.count(Attendee.id)).where(Attendee.event_id == event.id,
                                              Attendee.status == "registered")) or 0
    printed = db.session.scalar(
        select(func.count(func.distinct(BadgePrint.attendee_id)))
        .join(Attendee, Attendee.id == BadgePrint.attendee_id)
        .where(BadgePrint.event_id == event.id, Attendee.status == "registered")) or 0
    return {"registered": registered, "printed": printed, "unprinted": registered - printed}


def recent_batches(event: Event, limit: int = 10) -> list[BadgeBatch]:
    return list(db.session.scalars(
        select(BadgeBatch).where(BadgeBatch.event_id == event.id)
        .order_by(BadgeBatch.created_at.desc(), BadgeBatch.id.desc()).limit(limit)
    ))
