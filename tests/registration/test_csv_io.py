"""The spreadsheet parser: encodings, header spellings, row errors, export escaping."""

from summit.registration import csv_io

GOOD = (
    "first_name,last_name,email,organization,state,role\n"
    "Zoë,O'Brien,Zoe.OBrien@Example.org,Knox County Schools,TN,Principal\n"
    "太郎,山田,taro@example.jp,Toronto District School Board,ON,Teacher\n"
)


def test_parses_utf8_with_bom_and_normalizes_email():
    result = csv_io.parse_registrations(("\ufeff" + GOOD).encode("utf-8"))
    assert result.ok
    assert [r.first_name for r in result.rows] == ["Zoë", "太郎"]
    assert result.rows[0].email == "zoe.obrien@example.org"
    assert result.rows[0].line == 2


def test_understands_common_header_spellings_and_semicolons():
    text = ("First Name;Last Name;E-mail Address;School District;State/Province;Job Title;"
            "Dietary Needs\nAna;Ruiz;ana@example.org;Austin ISD;TX;Coach;Vegan\n")
    result = csv_io.parse_registrations(text.encode())
    assert result.ok, result.errors
    row = result.rows[0]
    assert (row.organization, row.state, row.role, row.dietary) == ("Austin ISD", "TX", "Coach",
                                                                    "Vegan")


def test_every_bad_row_is_reported_with_its_line_and_reason():
    text = GOOD + (
        ",Missing,first@example.org,Org,TN,Teacher\n"
        "Bad,Email,not-an-email,Org,TN,Teacher\n"
        "Dup,Licate,taro@example.jp,Org,ON,Teacher\n"
    )
    result = csv_io.parse_registrations(text.encode())
    assert not result.ok
    lines = {line: reason for line, reason in result.errors}
    assert set(lines) == {4, 5, 6}
    assert "first name is empty" in lines[4]
    assert "not-an-email" in lines[5]
    assert "already appears on line 3" in lines[6]


def test_missing_columns_and_non_utf8_files_are_refused_clearly():
    assert "Missing column(s): email" in csv_io.parse_registrations(
        b"first_name,last_name,organization,state,role\n").errors[0][1]
    assert "UTF-8" in csv_io.parse_registrations("Zoë".encode("latin-1")).errors[0][1]
    assert "empty" in csv_io.parse_registrations(b"").errors[0][1]
    assert csv_io.parse_registrations(b"\x00\x01\x02garbage").errors


def test_quoted_multiline_fields_report_the_physical_line():
    text = ('first_name,last_name,email,organization,state,role,accessibility\n'
            'A,B,a@example.org,Org,TN,Teacher,"needs\nramp"\n'
            'C,D,bad,Org,TN,Teacher,\n')
    result = csv_io.parse_registrations(text.encode())
    assert result.errors[0][0] == 4


def test_export_defuses_formulas_but_keeps_names_exact():
    from summit.csv_tools import write_csv

    out = write_csv([{"first_name": "=HYPERLINK(1)", "last_name": "O'Brien-Ñúñez"}],
                    ("first_name", "last_name"))
    assert "'=HYPERLINK(1)" in out
    assert "O'Brien-Ñúñez" in out


def test_header_keys_are_trimmed_casefolded_and_single_spaced():
    from summit.csv_tools import header_key

    assert header_key("  E-mail_Address ") == "e-mail address"
    assert header_key("\ufeffFirst   Name") == "first name"
    assert header_key("_state_") == "state"
