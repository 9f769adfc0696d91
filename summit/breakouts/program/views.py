"""Program pages: the public program (a section of the event page, and an embed for the
organizer's own website) and the organizer's page of plenary blocks and embed settings."""

from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from markupsafe import escape

from summit.access import current_attendee, event_role, load_event, public
from summit.breakouts import services as breakouts
from summit.breakouts.program import rules, services
from summit.breakouts.program.forms import BlockForm, EmbedForm
from summit.breakouts.program.models import ProgramBlock
from summit.extensions import db
from summit.i18n import normalize
from summit.responses import allow_framing, is_htmx

bp = Blueprint("program", __name__)

TAG_MAX = 60


# --- the public program ---------------------------------------------------------------------


def _filters(args) -> tuple[int | None, str | None]:
    """The day and tag asked for in the address; anything unusable means "no filter"."""
    try:
        day = int(str(args.get("day", "")).strip())
    except ValueError:
        day = None
    tag = " ".join((args.get("tag") or "").split())[:TAG_MAX] or None
    return day, tag


def _program_context(event, args, endpoint: str, **link_args) -> dict:
    day, tag = _filters(args)
    program = services.public_program(event, day, tag)

    def link(day=None, tag=None) -> str:
        return url_for(endpoint, slug=event.slug, day=day, tag=tag, **link_args)

    embedded = endpoint == "program.embed"
    # Below the program (it is long on a phone): register, unless this browser already did.
    invite = event.registration_state() == "open" and (
        embedded or current_attendee(event) is None)
    return {"event": event, "program": program, "link": link, "kinds": rules.KINDS,
            "names": services.public_names, "embedded": embedded,
            "register_url": url_for("registration.register", slug=event.slug) if invite
            else None}


def program_section(event, args):
    """The program on the public event page (``panels.add_event_page_section``); nothing
    until the organizers have put something on it."""
    context = _program_context(event, args, "events.event_page")
    if not context["program"].published:
        return None
    return render_template("breakouts/program/_program.html", **context)


@bp.route("/e/<slug>/program/embed")
@public
def embed(slug: str):
    """The program without the site's header, for a frame on the organizer's own website:
    only the websites listed in the event's embed settings (and this site) may frame it."""
    event = load_event(slug)
    if not event.is_public:
        abort(404)
    lang = normalize(request.args.get("lang"))
    try:
        allow_framing(services.embed_origins(event))
    except ValueError:  # never expected (the rules check the same), but never a 500 either:
        current_app.logger.warning("embed origins of %s refused by the CSP check", event.slug)
        allow_framing([])  # this site only
    with force_locale(lang) if lang else nullcontext():
        context = _program_context(event, request.args, "program.embed", lang=lang)
        template = ("breakouts/program/_program.html" if is_htmx()
                    else "breakouts/program/embed.html")
        response = make_response(render_template(template, lang_param=lang, **context))
    if not request.headers.get("HX-Request"):
        response.vary.add("HX-Request")
    return response


# --- the organizer's page -------------------------------------------------------------------

EMBED_HEIGHT = 900  # px, until the program in the frame says how tall it is


def embed_snippet(event) -> str:
    """The HTML an organizer pastes into their website: the frame, and a few lines of script
    that size it to the program (it accepts a height only from this site)."""
    base = current_app.config["BASE_URL"]
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    src = base + url_for("program.embed", slug=event.slug)
    title = escape(f"Program: {event.name}")
    return (
        f'<iframe id="summit-program" src="{escape(src)}" title="{title}" '
        f'style="width:100%;height:{EMBED_HEIGHT}px;border:0" loading="lazy"></iframe>\n'
        '<script>addEventListener("message",function(e){'
        f'if(e.origin==="{escape(origin)}"&&e.data&&e.data.summitProgramHeight)'
        '{document.getElementById("summit-program").style.height='
        'e.data.summitProgramHeight+"px"}});</script>')


def _page(event, form: BlockForm, embed_form: EmbedForm, editing=None, status: int = 200):
    program = services.public_program(event)
    base = current_app.config["BASE_URL"]
    return render_template(
        "breakouts/program/admin.html", event=event, program=program, form=form,
        embed_form=embed_form, editing=editing, kinds=rules.KINDS, hints=rules.KIND_HINTS,
        origins=services.embed_origins(event),
        embed_url=base + url_for("program.embed", slug=event.slug),
        public_url=base + url_for("events.event_page", slug=event.slug),
        snippet=embed_snippet(event),
        outside=[b for b in services.blocks_of(event) if not 1 <= b.day <= max(event.days, 1)],
    ), status


def _block_form(event, **kwargs) -> BlockForm:
    return BlockForm(event, breakouts.rooms_of(event), **kwargs)


def _embed_form(event) -> EmbedForm:
    return EmbedForm(data={"origins": "\n".join(services.embed_origins(event))},
                     formdata=None)


def _get_block(event, block_id: int) -> ProgramBlock:
    block = db.session.get(ProgramBlock, block_id)
    if block is None or block.event_id != event.id:
        abort(404)
    return block


def _save(event, form: BlockForm, block: ProgramBlock | None):
    """Validate and save; the page again (400) with every message and what was typed."""
    if form.validate_on_submit():
        data = services.BlockData(
            title=form.title.data, day=form.day.data, starts=form.starts.data,
            ends=form.ends.data, kind=form.kind.data, description=form.description.data or "",
            room_id=form.room_id.data)
        try:
            saved = services.save_block(event, data, block)
        except services.ProgramError as exc:
            db.session.rollback()
            for name, message in exc.problems.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            db.session.commit()
            flash(f"“{saved.title}” {'added' if block is None else 'saved'}.", "success")
            return redirect(url_for("program.blocks", slug=event.slug) + f"#day-{saved.day}")
    return _page(event, form, _embed_form(event), editing=block, status=400)


@bp.route("/admin/e/<slug>/program")
@event_role("organizer")
def blocks(event):
    return _page(event, _block_form(event, formdata=None), _embed_form(event))


@bp.route("/admin/e/<slug>/program/blocks", methods=["POST"])
@event_role("organizer")
def add_block(event):
    return _save(event, _block_form(event), None)


@bp.route("/admin/e/<slug>/program/blocks/<int:block_id>", methods=["GET", "POST"])
@event_role("organizer")
def edit_block(event, block_id: int):
    block = _get_block(event, block_id)
    if request.method == "GET":
        form = _block_form(event, formdata=None, obj=block)
        return _page(event, form, _embed_form(event), editing=block)
    return _save(event, _block_form(event), block)


@bp.route("/admin/e/<slug>/program/blocks/<int:block_id>/delete", methods=["POST"])
@event_role("organizer")
def delete_block(event, block_id: int):
    block = _get_block(event, block_id)
    title = block.title
    services.delete_block(event, block)
    db.session.commit()
    flash(f"“{title}” deleted.", "success")
    return redirect(url_for("program.blocks", slug=event.slug))


@bp.route("/admin/e/<slug>/program/embed", methods=["POST"])
@event_role("organizer")
def save_embed(event):
    form = EmbedForm()
    if form.validate_on_submit():
        try:
            origins = services.save_embed_origins(event, form.origins.data or "")
        except services.ProgramError as exc:
            db.session.rollback()
            form.origins.errors = [*form.origins.errors, exc.problems["origins"]]
        else:
            db.session.commit()
            flash("Saved: " + (", ".join(origins) if origins else
                               "no other website may show the program now."), "success")
            return redirect(url_for("program.blocks", slug=event.slug) + "#embed")
    return _page(event, _block_form(event, formdata=None), form, status=400)


def home_panel(event):
    """The program on the organizer's event overview: what it holds, and the embed snippet."""
    program = services.public_program(event)
    base = current_app.config["BASE_URL"]
    return render_template(
        "breakouts/program/_home_panel.html", event=event,
        blocks=sum(1 for d in program.days for e in d.entries if e.is_block),
        sessions=sum(len(e.sessions) for d in program.days for e in d.entries),
        origins=services.embed_origins(event), snippet=embed_snippet(event),
        public_url=base + url_for("events.event_page", slug=event.slug))
