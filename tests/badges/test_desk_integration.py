"""After a check-in the desk offers "Print badge" and the badge correction form."""


def test_desk_result_offers_print_and_correction(client, auth, make_event, make_attendee,
                                                 make_staff):
    event = make_event()
    amber = make_attendee(event, first_name="Amber")
    auth.login(make_staff("checkin", event))
    response = client.post(f"/admin/e/{event.slug}/checkin/scan",
                           data={"code": amber.checkin_code}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Amber" in html
    assert f"/badges/attendee/{amber.id}" in html or "print-badge" in html
    assert "Correct the badge text" in html
