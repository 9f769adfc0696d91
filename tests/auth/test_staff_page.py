"""The event's staff page: an organizer adds a volunteer, who is listed in words."""

from __future__ import annotations


def test_organizer_adds_a_check_in_volunteer(client, auth, make_event, make_staff):
    event = make_event()
    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/staff").get_data(as_text=True)
    assert '<option value="checkin">Check-in volunteer</option>' in page
    added = client.post(f"/admin/e/{event.slug}/staff",
                        data={"email": "door@example.org", "name": "Dora", "role": "checkin"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and "door@example.org" in html
    assert "<td>Check-in volunteer</td>" in html and "<td>checkin</td>" not in html
