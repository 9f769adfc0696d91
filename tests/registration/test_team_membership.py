"""District team membership needs proof: a confirmed address at a domain the organizers
confirmed for the district, or the approval of a team member or an organizer.

Found by a security review: typing a district's name and state on the public form was enough to
see its members, read their shared plans, and join and edit its team plan.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from summit.database import utcnow
from summit.extensions import db
from summit.plans import services as plans
from summit.plans.models import PlanAnswer, PlanTeamMember
from summit.registration import membership
from summit.registration.models import Attendee, JoinRequest, OrganizationDomain
from summit.registration.services import find_or_create_organization, update_attendee
from tests.attendee_routes import LIVE_ROOMS, leaks, readable, urls

# A community invitation link nobody was given (community.join).
MADE_UP_INVITE = "n0t-a-real-invitation-link-0123456789abc"

TEAM_SECRETS = ["Amberly", "Benedikt", "Patrizia", "AMBER-SHARED-PLAN", "TEAM-PLAN-TEXT"]
FORM = {"organization": "Knox County Schools", "state": "TN", "role": "Teacher",
        "last_name": "Tester"}


def question(event, key):
    template = plans.template_for(event)
    db.session.flush()
    return next(q for s in plans.live_sections(template) for q in s.questions if q.key == key)


def confirmed(attendee):
    attendee.email_confirmed_at = utcnow()
    db.session.commit()
    return attendee


@pytest.fixture
def knox(app, make_event, make_attendee):
    """Knox's team: Amberly and Benedikt (addresses at the confirmed domain), a shared plan, a
    team plan with text, and Patrizia's request waiting for a decision."""
    event = make_event()
    org = find_or_create_organization("Knox County Schools", "TN")
    membership.confirm_domain(event, org, "knoxschools.org", "lead@staff.test")
    amber = confirmed(make_attendee(event, first_name="Amberly",
                                    email="amber@knoxschools.org"))
    ben = confirmed(make_attendee(event, first_name="Benedikt", email="ben@k12.knoxschools.org"))
    pat = confirmed(make_attendee(event, first_name="Patrizia", email="pat@gmail.com"))
    own = plans.plan_for(amber)
    plans.save_answer(own, question(event, "take_back"), "", "AMBER-SHARED-PLAN", 0,
                      by=amber.full_name)
    own.shared_with_team = True
    team = plans.join_team(amber)
    plans.join_team(ben)
    plans.save_answer(team, question(event, "who_else"), "", "TEAM-PLAN-TEXT", 0,
                      by=amber.full_name)
    request = membership.ask_to_join(pat)
    db.session.commit()
    return {"event": event, "org": org, "amber": amber, "ben": ben, "pat": pat, "team": team,
            "amber_plan": own, "pat_request": request}


def register_on_the_form(app, event, first_name, email):
    browser = app.test_client()
    assert browser.post(f"/e/{event.slug}/register",
                        data={**FORM, "first_name": first_name, "email": email}
                        ).status_code == 302
    return browser, db.session.scalar(select(Attendee).where(Attendee.email == email))


def team_state():
    return (
        sorted(db.session.execute(select(PlanAnswer.plan_id, PlanAnswer.field,
                                         PlanAnswer.value)).all()),
        sorted(db.session.execute(select(PlanTeamMember.plan_id,
                                         PlanTeamMember.attendee_id)).all()),
        sorted(db.session.execute(select(JoinRequest.attendee_id, JoinRequest.status)).all()),
    )


def test_a_self_declared_district_sees_nothing_of_the_team_on_any_route(app, knox):
    event, team = knox["event"], knox["team"]
    mallory_phone, mallory = register_on_the_form(app, event, "Mallory", "mal@evil.example")
    mallory_phone.get(f"/me/{mallory.personal_secret}")  # her own address: confirmed
    assert membership.standing(mallory) == membership.NOT_ASKED

    # Every attendee page, with the ids of the team's plans: nothing of the team.
    get_candidates = {"plan_id": [team.id, knox["amber_plan"].id], "key": ["d1"],
                      "series_id": [999_999], "invite": [MADE_UP_INVITE], **LIVE_ROOMS}
    problems = []
    for endpoint, url in urls(app, event.slug, get_candidates):
        if endpoint == "registration.cancel":
            continue
        response = mallory_phone.get(url)
        assert response.status_code < 500, url
        if found := leaks(readable(response), TEAM_SECRETS):
            problems.append(f"GET {url} ({response.status_code}) shows {found}")
        if endpoint in ("plans.view_plan", "plans.plan_pdf") and response.status_code != 403:
            problems.append(f"GET {url} answered {response.status_code}, not 403")

    # Every attendee form, aimed at the team's plans and at Patrizia's request: refused, and
    # nothing of the team changes (asking to join is allowed: it only adds her own request).
    before = team_state()
    post_candidates = {
        "plan_id": [team.id, knox["amber_plan"].id], "request_id": [knox["pat_request"].id],
        "session_id": [999_999], "notice_id": [999_999], "announcement_id": [999_999],
        "topic_id": [999_999], "key": ["d1"], "series_id": [999_999],
        "invite": [MADE_UP_INVITE], **LIVE_ROOMS}
    refused_endpoints = {"plans.join_team", "plans.save", "plans.complete", "plans.email_plan",
                         "registration.decide_request"}
    form = {"question": question(event, "who_else").id, "field": "", "value": "MALLORY-WROTE",
            "base": "1", "completed": "1", "decision": "approve", "shared": "1"}
    for endpoint, url in urls(app, event.slug, post_candidates, method="POST"):
        if endpoint == "registration.cancel":
            continue
        response = mallory_phone.post(url, data=form)
        assert response.status_code < 500, url
        if found := leaks(readable(response), TEAM_SECRETS):
            problems.append(f"POST {url} ({response.status_code}) shows {found}")
        if endpoint in refused_endpoints and response.status_code not in (403, 404):
            problems.append(f"POST {url} answered {response.status_code}, not 403/404")
    after = team_state()
    mine = db.session.scalar(select(JoinRequest).where(JoinRequest.attendee_id == mallory.id))
    assert mine is not None and mine.status == "pending"  # she asked: that is all
    assert (after[0], after[1]) == (before[0], before[1])
    assert [r for r in after[2] if r[0] != mallory.id] == before[2]
    assert not problems, "\n".join(problems)

    # A confirmed member approves her: the team opens.
    amber_phone = app.test_client()
    amber_phone.get(f"/me/{knox['amber'].personal_secret}")
    waiting = amber_phone.get(f"/e/{event.slug}/team").get_data(as_text=True)
    assert "Mallory" in waiting and "mal@evil.example" in waiting
    assert amber_phone.post(f"/e/{event.slug}/team/requests/{mine.id}",
                            data={"decision": "approve"}).status_code == 303
    team_page = mallory_phone.get(f"/e/{event.slug}/team").get_data(as_text=True)
    assert "Amberly" in team_page and "Benedikt" in team_page
    assert "Patrizia" in team_page  # her request now waits for Mallory too
    plan_page = mallory_phone.get(f"/e/{event.slug}/plan").get_data(as_text=True)
    assert "Amberly" in plan_page  # the shared plan's link
    assert "AMBER-SHARED-PLAN" in mallory_phone.get(
        f"/e/{event.slug}/plan/{knox['amber_plan'].id}").get_data(as_text=True)
    assert mallory_phone.post(f"/e/{event.slug}/plan/team/join").status_code == 302
    assert "TEAM-PLAN-TEXT" in mallory_phone.get(f"/e/{event.slug}/plan/team").get_data(
        as_text=True)

    # Moved to another organization by an organizer: the approval was for Knox only.
    update_attendee(mallory, {"organization": "Evil Unified", "state": "TN"})
    db.session.commit()
    assert mallory_phone.get(
        f"/e/{event.slug}/plan/{knox['amber_plan'].id}").status_code == 403
    assert membership.standing(mallory) == membership.NOT_ASKED


def test_an_address_at_a_confirmed_domain_proves_membership_once_it_is_confirmed(app, knox):
    event = knox["event"]
    form_phone, carol = register_on_the_form(app, event, "Carol", "carol@knoxschools.org")
    # Typed, not proven: the form's session sees nothing of the team.
    page = form_phone.get(f"/e/{event.slug}/team").get_data(as_text=True)
    assert "open the personal link" in page and not leaks(page, TEAM_SECRETS)
    assert form_phone.post(f"/e/{event.slug}/plan/team/join").status_code == 403
    assert form_phone.post(f"/e/{event.slug}/team/request").status_code == 303
    assert membership.request_of(carol) is None  # nothing to ask before the proof
    # She opens the link that went to the address: she is a member.
    phone = app.test_client()
    phone.get(f"/me/{carol.personal_secret}")
    page = phone.get(f"/e/{event.slug}/team").get_data(as_text=True)
    assert "Amberly" in page and "Benedikt" in page
    assert "AMBER-SHARED-PLAN" in phone.get(
        f"/e/{event.slug}/plan/{knox['amber_plan'].id}").get_data(as_text=True)
    assert form_phone.get(f"/e/{event.slug}/me").status_code == 302  # the form's session ended


def test_who_may_decide_a_request(app, knox, make_attendee, make_event):
    event, pat_request = knox["event"], knox["pat_request"]
    other_district = confirmed(make_attendee(event, first_name="Otto", email="otto@metro.org",
                                             organization="Metro Schools"))
    membership.decide_as_organizer(event, other_district, True, "lead@staff.test")
    db.session.commit()
    other_event = make_event()
    stranger = confirmed(make_attendee(other_event, first_name="Sven",
                                       email="sven@knoxschools.org"))
    membership.confirm_domain(other_event, knox["org"], "knoxschools.org", "lead@staff.test")
    db.session.commit()
    url = f"/e/{event.slug}/team/requests/{pat_request.id}"
    for person, expected in ((other_district, 403), (knox["pat"], 403)):
        phone = app.test_client()
        phone.get(f"/me/{person.personal_secret}")
        assert phone.post(url, data={"decision": "approve"}).status_code == expected
    phone = app.test_client()
    phone.get(f"/me/{stranger.personal_secret}")
    assert phone.post(f"/e/{other_event.slug}/team/requests/{pat_request.id}",
                      data={"decision": "approve"}).status_code == 404
    db.session.refresh(pat_request)
    assert pat_request.status == "pending"
    ben = app.test_client()
    ben.get(f"/me/{knox['ben'].personal_secret}")
    assert ben.post(url, data={"decision": "maybe"}).status_code == 400
    assert ben.post(url, data={"decision": "decline"}).status_code == 303
    db.session.refresh(pat_request)
    assert pat_request.status == "declined"
    assert membership.standing(knox["pat"]) == membership.DECLINED
    # Declined: she cannot ask again; an organizer still may approve her.
    pat = app.test_client()
    pat.get(f"/me/{knox['pat'].personal_secret}")
    pat.post(f"/e/{event.slug}/team/request")
    assert membership.standing(knox["pat"]) == membership.DECLINED


def test_domain_rules():
    assert membership.normalize_domain(" @Knox.K12.TN.US. ") == "knox.k12.tn.us"
    assert membership.normalize_domain("someone@KnoxSchools.org") == "knoxschools.org"
    assert membership.normalize_domain("écoles.qc.ca") == "xn--coles-9ra.qc.ca"
    assert membership.email_domain("prof@Écoles.qc.ca") == "xn--coles-9ra.qc.ca"
    for bad in ("", "knox", "gmail.com", "Outlook.com", "-x.org", "a..b", "1.2.3.4",
                "knox schools.org", "x" * 300 + ".org"):
        with pytest.raises(membership.MembershipError):
            membership.normalize_domain(bad)
    assert membership.domain_covers("knoxschools.org", "k12.knoxschools.org")
    assert not membership.domain_covers("knoxschools.org", "evilknoxschools.org")
    assert not membership.domain_covers("knoxschools.org", "knoxschools.org.evil.example")


def test_an_organizer_removal_beats_the_domain(app, knox):
    event, amber = knox["event"], knox["amber"]
    assert membership.is_member(amber)
    membership.decide_as_organizer(event, amber, False, "lead@staff.test")
    db.session.commit()
    assert membership.standing(amber) == membership.DECLINED
    assert not plans.can_edit(knox["team"], amber)
    assert [m.first_name for m in plans.team_members(knox["team"])] == ["Benedikt"]


def test_organizers_confirm_domains_and_decide(app, client, auth, knox, make_staff, make_event,
                                               make_attendee):
    event, org = knox["event"], knox["org"]
    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/districts").get_data(as_text=True)
    assert "Knox County Schools" in page and "knoxschools.org (1)" in page
    assert "Patrizia" in page  # waiting for a decision
    base = f"/admin/e/{event.slug}/districts/{org.id}"
    detail = client.get(base).get_data(as_text=True)
    assert "knoxschools.org" in detail and "Waiting" in detail

    refused = client.post(f"{base}/domains", data={"domain": "gmail.com"})
    assert refused.status_code == 400
    assert "public email" in refused.get_data(as_text=True)
    assert 'value="gmail.com"' in refused.get_data(as_text=True)
    empty = client.post(f"{base}/domains", data={"domain": "   "})
    assert empty.status_code == 400
    assert "Please type an address domain" in empty.get_data(as_text=True)
    assert client.post(f"{base}/domains", data={"domain": "@KCS.org"}).status_code == 303
    domain = db.session.scalar(select(OrganizationDomain).where(
        OrganizationDomain.domain == "kcs.org"))
    assert domain.organization_id == org.id and domain.confirmed_by.endswith("@staff.test")
    metro = confirmed(make_attendee(event, first_name="Mo", organization="Metro Schools"))
    clash = client.post(f"/admin/e/{event.slug}/districts/{metro.organization_id}/domains",
                        data={"domain": "kcs.org"})
    assert clash.status_code == 400 and "already confirmed" in clash.get_data(as_text=True)

    pat = knox["pat"]
    assert client.post(f"{base}/attendees/{pat.id}", data={"decision": "maybe"}
                       ).status_code == 400
    assert not membership.is_member(pat)
    assert client.post(f"{base}/attendees/{pat.id}", data={"decision": "approve"}
                       ).status_code == 303
    assert membership.is_member(pat)
    # Approving someone whose address is not proven yet: a member once they open their link.
    unproven = make_attendee(event, first_name="Una", email="una@gmail.com")
    client.post(f"{base}/attendees/{unproven.id}", data={"decision": "approve"})
    assert membership.standing(unproven) == membership.UNCONFIRMED
    assert "a member once they open their link" in client.get(base).get_data(as_text=True)
    client_of_una = app.test_client()
    client_of_una.get(f"/me/{unproven.personal_secret}")
    assert membership.is_member(unproven)
    domain_id = domain.id
    assert client.post(f"{base}/domains/{domain_id}/remove").status_code == 303
    assert db.session.scalar(select(OrganizationDomain).where(
        OrganizationDomain.id == domain_id)) is None

    # Ids of another event, or of another organization, are not found.
    other = make_event()
    stranger = make_attendee(other, first_name="Stranger")
    assert client.get(f"/admin/e/{event.slug}/districts/{stranger.organization_id + 999}"
                      ).status_code == 404
    assert client.post(f"{base}/attendees/{stranger.id}",
                       data={"decision": "approve"}).status_code == 404
    knox_domain = db.session.scalar(select(OrganizationDomain.id).where(
        OrganizationDomain.domain == "knoxschools.org"))
    assert client.post(f"/admin/e/{event.slug}/districts/{metro.organization_id}/domains/"
                       f"{knox_domain}/remove").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OrganizationDomain)) == 1


def test_team_routes_are_organizer_pages_or_attendee_pages(app, knox, make_staff):
    """Check-in volunteers and facilitators see none of it."""
    event = knox["event"]
    for role in ("checkin", "facilitator"):
        client = app.test_client()
        client.post("/login", data={"email": make_staff(role, event).email,
                                    "password": "correct horse battery"})
        assert client.get(f"/admin/e/{event.slug}/districts").status_code == 403
        assert client.post(f"/admin/e/{event.slug}/districts/{knox['org'].id}/attendees/"
                           f"{knox['pat'].id}", data={"decision": "approve"}).status_code == 403
    assert not membership.is_member(knox["pat"])


def test_the_team_page_speaks_french(app, knox, make_attendee):
    person = confirmed(make_attendee(knox["event"], first_name="Élise", email="elise@gmail.com",
                                     preferred_language="fr"))
    phone = app.test_client()
    phone.get(f"/me/{person.personal_secret}")
    page = phone.get(f"/e/{knox['event'].slug}/team").get_data(as_text=True)
    assert "Demander à rejoindre l’équipe de Knox County Schools" in page
    assert "vos nom, rôle et adresse courriel" in page
