"""Reading and writing registration spreadsheets. No Flask here.

``parse_registrations`` accepts what people export from Excel or Google Sheets: UTF-8 with or
without a byte-order mark, comma or semicolon separated, with common header spellings. It
returns clean rows or a list of row errors; never both, so an import is all or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field

from summit.csv_tools import HeaderError, columns_for, header_key, open_csv, to_text
from summit.forms import normalize_email

IMPORT_COLUMNS = ("first_name", "last_name", "email", "organization", "state", "role")
OPTIONAL_COLUMNS = ("dietary", "accessibility")
EXPORT_COLUMNS = (*IMPORT_COLUMNS, *OPTIONAL_COLUMNS, "status", "checked_in_at", "homeroom",
                  "checkin_url")

MAX_ROWS = 20_000
MAX_FIELD = {"first_name": 100, "last_name": 100, "email": 254, "organization": 200,
             "state": 64, "role": 100, "dietary": 1000, "accessibility": 1000}

HEADER_ALIASES = {
    "first_name": {"first", "firstname", "first name", "given name", "given", "forename",
                   "prenom", "prénom"},
    "last_name": {"last", "lastname", "last name", "surname", "family name", "family", "nom"},
    "email": {"email", "e-mail", "email address", "e-mail address", "mail", "courriel",
              "work email"},
    "organization": {"organization", "organisation", "district", "school district", "org",
                     "school board", "employer", "agency", "institution", "school division"},
    "state": {"state", "province", "state/province", "state or province", "state_or_province",
              "region", "st", "prov"},
    "role": {"role", "title", "job title", "position", "job", "job role"},
    "dietary": {"dietary", "dietary needs", "diet", "dietary requirements", "dietary restrictions",
                "food"},
    "accessibility": {"accessibility", "accessibility needs", "access needs", "accommodations",
                      "accommodation", "accessibility requirements"},
}


_ALIAS_TO_COLUMN = {
    header_key(alias): column
    for column, aliases in HEADER_ALIASES.items()
    for alias in (*aliases, column)
}


@dataclass(frozen=True)
class RegistrationRow:
    line: int
    first_name: str
    last_name: str
    email: str
    organization: str
    state: str
    role: str
    dietary: str = ""
    accessibility: str = ""


@dataclass
class ParseResult:
    rows: list[RegistrationRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_registrations(data: bytes | str) -> ParseResult:
    result = ParseResult()
    try:
        text = to_text(data)
    except ValueError as exc:
        result.errors.append((0, str(exc)))
        return result
    if "\x00" in text:
        result.errors.append((0, "The file is not a CSV text file."))
        return result
    if not text.strip():
        result.errors.append((0, "The file is empty."))
        return result
    try:
        header, reader = open_csv(text)
        columns = columns_for(header, _ALIAS_TO_COLUMN, IMPORT_COLUMNS, IMPORT_COLUMNS)
    except HeaderError as exc:
        result.errors.append((1, str(exc)))
        return result
    seen_emails: dict[str, int] = {}
    try:
        for index, raw in enumerate(reader, start=2):
            line = reader.line_num if reader.line_num >= index else index
            if not any(cell.strip() for cell in raw):
                continue
            if len(result.rows) + len(result.errors) >= MAX_ROWS:
                result.errors.append((line, f"Too many rows: at most {MAX_ROWS:,} per import."))
                break
            record = _row_to_record(columns, raw)
            problems = []
            for column in IMPORT_COLUMNS:
                if column != "role" and not record.get(column):
                    problems.append(f"{column.replace('_', ' ')} is empty")
            for column, limit in MAX_FIELD.items():
                if len(record.get(column, "")) > limit:
                    problems.append(f"{column.replace('_', ' ')} is longer than {limit} characters")
            email = ""
            if record.get("email"):
                try:
                    email = normalize_email(record["email"])
                except ValueError as exc:
                    problems.append(f"email “{record['email']}” is not valid: {exc}")
            if email and email in seen_emails:
                problems.append(f"{email} already appears on line {seen_emails[email]}")
            if problems:
                result.errors.append((line, "; ".join(problems)))
                continue
            seen_emails[email] = line
            result.rows.append(RegistrationRow(
                line=line, first_name=record["first_name"], last_name=record["last_name"],
                email=email, organization=record["organization"], state=record["state"],
                role=record.get("role", ""), dietary=record.get("dietary", ""),
                accessibility=record.get("accessibility", ""),
            ))
    except csv.Error as exc:
        result.errors.append((reader.line_num, f"The file could not be read as CSV: {exc}"))
    if not result.rows and not result.errors:
        result.errors.append((2, "The file has a header but no attendees."))
    return result


def _row_to_record(columns: Sequence[str | None], raw: Sequence[str]) -> dict[str, str]:
    record: dict[str, str] = {}
    for column, value in zip(columns, raw, strict=False):
        if column and column not in record:
            record[column] = " ".join(value.split()) if column not in OPTIONAL_COLUMNS \
                else value.strip()
    return record
