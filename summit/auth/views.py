"""Staff sign-in and sign-out, and personal API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from summit import audit
from summit.access import clear_api_auth_cache, public, staff_required
from summit.auth import services
from summit.auth.forms import LoginForm, TokenForm
from summit.auth.models import ApiToken
from summit.auth.tokens import parse_expiry
from summit.database import utcnow
from summit.devices import ensure_device_id
from summit.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")) or url_for("admin.home"))
    ensure_device_id()  # the throttle counts this device's failures, not the venue's
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        device = services.sign_in_device(email)
        user, wait = services.attempt_sign_in(email, form.password.data, device=device,
                                              remote_addr=request.remote_addr or "")
        db.session.commit()
        if user is not None:
            login_user(user)
            services.remember_sign_in(email)
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.home"))
        if wait:
            form.password.errors.append(wait.message())
            status = 429
        else:
            form.password.errors.append("That email and password do not match.")
            status = 401
    elif request.method == "POST":
        status = 400
    response = make_response(render_template("auth/login.html", form=form), status)
    if status == 429:
        response.headers["Retry-After"] = str(wait.seconds)
    return response


@bp.route("/logout", methods=["POST"])
@public
def logout():
    logout_user()
    flash("You are signed out.", "info")
    response = redirect(url_for("events.index"))
    # Pages kept by the browser for this session go too (the page's script also removes the
    # check-in desk's offline shell, which this header does not reach).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/tokens", methods=["GET", "POST"])
@staff_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        expires_at = parse_expiry(form.expires.data, utcnow())
        new_token = services.issue_token(current_user, form.label.data or "",
                                         expires_at=expires_at)
        db.session.commit()
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/tokens.html", form=form, tokens=rows, new_token=new_token,
                           now=utcnow())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@staff_required
def revoke_token(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("staff.token_revoked", target=current_user, after={"prefix": row.prefix})
        db.session.commit()
        clear_api_auth_cache()  # this worker at once; the others within a few seconds
    flash(f"Token {row.prefix}… revoked.", "success")
    return redirect(url_for("auth.tokens"))
