"""The attendee search, posted (names and emails never land in an address), read through
AttendeeSearchForm: long text is cut, an unknown status or page is ignored, never a 500."""

from __future__ import annotations


def test_the_posted_search_finds_people_and_ignores_what_does_not_fit(
        client, auth, make_event, make_attendee, make_staff):
    event = make_event()
    make_attendee(event, first_name="Ada", last_name="Lovelace", email="ada@knox.test")
    make_attendee(event, first_name="Grace", last_name="Hopper", email="grace@knox.test")
    auth.login(make_staff("organizer", event=event))
    url = f"/admin/e/{event.slug}/attendees"

    found = client.post(url, data={"q": "lovelace"})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Lovelace" in html and "Hopper" not in html

    odd = client.post(url, data={"q": "ada" + " " * 200 + "x", "status": "nonsense",
                                 "checked_in": "maybe", "page": "abc"})
    assert odd.status_code == 200

    fragment = client.post(url, data={"q": "hopper", "page": "99999999999999999999999"},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    # The free text stays out of the address the browser shows.
    assert "hopper" not in fragment.headers.get("HX-Replace-Url", "")
