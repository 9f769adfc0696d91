"""``flask backup`` / ``flask restore``: a round trip on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.events.models import Event
from summit.extensions import db
from summit.registration.models import Attendee


def test_backup_and_restore_round_trip(app, runner, make_event, make_attendee, tmp_path,
                                       db_backend):
    event = make_event("spring", name="Spring Summit")
    keep = make_attendee(event, first_name="Ada", email="ada@example.org")
    make_attendee(event, first_name="Grace", email="grace@example.org")
    secret = keep.personal_secret
    target = tmp_path / "copy.bak"

    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up {db_backend}" in result.output
    magic = b"SQLite format 3\x00" if db_backend == "sqlite" else b"PGDMP"
    assert target.read_bytes().startswith(magic)
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    # Change and delete after the backup ...
    event = db.session.scalar(select(Event).where(Event.slug == "spring"))
    event.name = "Renamed"
    db.session.execute(Attendee.__table__.delete())
    make_event("later")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0

    # ... then restore: refused without confirmation, done with --yes.
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output

    db.session.remove()
    assert db.session.scalar(select(Event.name).where(Event.slug == "spring")) == "Spring Summit"
    assert db.session.scalar(select(Event).where(Event.slug == "later")) is None
    names = db.session.scalars(select(Attendee.first_name).order_by(Attendee.id)).all()
    assert names == ["Ada", "Grace"]
    restored = db.session.scalar(select(Attendee).where(Attendee.email == "ada@example.org"))
    assert restored.personal_secret == secret
    # The database keeps working: new rows get fresh ids (sequences restored too).
    added = make_attendee(event_or_reload("spring"), email="new@example.org")
    assert added.id > restored.id


def event_or_reload(slug):
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_backup_goes_to_the_backup_dir_and_keeps_the_newest(app, runner, tmp_path, db_backend):
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    suffix = ".sqlite3" if db_backend == "sqlite" else ".dump"
    for stamp in ("20010101-000000", "20010102-000000", "20010103-000000"):
        (tmp_path / "backups").mkdir(exist_ok=True)
        (tmp_path / "backups" / f"summit-{stamp}{suffix}").write_bytes(b"old")
    result = runner.invoke(args=["backup", "--keep", "2"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(files) == 2
    assert files[0] == f"summit-20010103-000000{suffix}"
    assert files[1].startswith("summit-20") and files[1] > files[0]


def test_restore_refuses_a_file_of_the_wrong_kind(app, runner, make_event, tmp_path):
    make_event("kept")
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "is not a" in result.output
    assert db.session.scalar(select(Event).where(Event.slug == "kept")) is not None
