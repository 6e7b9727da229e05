"""An exported «Персонифицированный учёт» among the summary's inputs.

A school may send its quarterly registry file (``book/output/registry_sheet.py:write_registry_file``)
instead of its book. It is recognised by its sheets («Персонифицированный учёт» and no sheets of a
curator's book), read with the reader's tolerant header matching, and gives what a registry can:
the people in the period by role, the pairs and groups they are in (by form and status where a row
names one pair), those left out for want of consent, and its rows for the consolidated registry.
Coverage, meetings, the roadmap and satisfaction are not in it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nastavnik_xl.actions.registry import SEPARATOR, ExcludedPerson, RegistryRow, parse_quarter
from nastavnik_xl.actions.summary.model import (
    EXPORT,
    OrgCard,
    OrgSummary,
    RegistryPerson,
    book_registry,
    registry_person,
)
from nastavnik_xl.book.fast import guard_sheets
from nastavnik_xl.book.model import Row
from nastavnik_xl.book.output.registry_sheet import EXCLUDED_COLUMNS, EXCLUDED_SHEET_NAME, ROW_COLUMNS, SHEET_NAME
from nastavnik_xl.book.reader import MAX_SHEET_CELLS, about_file, open_workbook, read_table, sheet_rows
from nastavnik_xl.findings import BookError
from nastavnik_xl.rules.people import id_key
from nastavnik_xl.schema import DATA_SHEETS, ColType, Column, Sheet, norm

MENTOR = "наставник"
NO_VALUE = "не указано"
_DATES = {"birth_date", "start_date", "planned_end", "actual_end", "pd_consent_date"}
ROW_FIELDS = ("quarter", "org_name", "inn", "municipality", "role", "person_id", "full_name", "birth_date",
              "person_type", "mentee_category", "forms", "variants", "pair_ids", "other_ids", "other_names",
              "start_date", "planned_end", "actual_end", "statuses", "outcomes", "pd_consent_date",
              "mentoring_consent")
EXCLUDED_FIELDS = ("role", "person_id", "missing", "pair_ids", "sheet", "row")
_REQUIRED = {"role", "person_id", "full_name"}
if len(ROW_FIELDS) != len(ROW_COLUMNS) or len(EXCLUDED_FIELDS) != len(EXCLUDED_COLUMNS):
    raise ImportError("the exported registry's columns changed: update actions/summary/export.py")


def _column(field: str, header: str) -> Column:
    kind = ColType.DATE if field in _DATES else ColType.INT if field == "row" else ColType.TEXT
    return Column(field, header, kind, required=field in _REQUIRED)


PEOPLE = Sheet("registry_export", SHEET_NAME, "RegistryExport",
               tuple(_column(f, c.out.header) for f, c in zip(ROW_FIELDS, ROW_COLUMNS)))
EXCLUDED = Sheet("registry_excluded", EXCLUDED_SHEET_NAME, "RegistryExcluded",
                 tuple(_column(f, c[0].header) for f, c in zip(EXCLUDED_FIELDS, EXCLUDED_COLUMNS)))
_TITLE = re.compile(r"Персонифицированный учёт наставничества:\s*(?P<org>.*),\s*(?P<quarter>[^,]+)$")
_INN = re.compile(r"ИНН\s+(\d+)")
_MUNICIPALITY = re.compile(r"муниципальное образование:\s*([^;.]+)")


def is_export(sheet_names: Sequence[str]) -> bool:
    """A registry file: its people sheet, and no data sheet of a curator's book."""
    keys = {norm(n) for n in sheet_names}
    book_sheets = {norm(a) for s in DATA_SHEETS if s.required for a in (s.name, *s.aliases)}
    return norm(SHEET_NAME) in keys and not keys & book_sheets


def _sheet(names: Sequence[str], wanted: str) -> str | None:
    return next((n for n in names if norm(n) == norm(wanted)), None)


def _split(value: Any) -> list[str]:
    return [p.strip() for p in str(value).split(SEPARATOR.strip())] if value not in (None, "") else []


def _person(row: Row, path: Path) -> RegistryRow:
    consent = row.get("pd_consent_date")
    if not isinstance(consent, dt.date):
        raise BookError(f"В выгрузке персонифицированного учёта «{path.name}» в строке {row['_row']} нет даты "
                        "согласия на обработку ПДн: такой файл программа не создаёт. Сформируйте учёт заново "
                        "командой nastavnik registry.", path=str(path), code="bad-registry")
    mentoring = row.get("mentoring_consent")
    dates = {f: row[f] if isinstance(row.get(f), dt.date) else None for f in ("birth_date", "start_date",
                                                                              "planned_end", "actual_end")}
    return RegistryRow(
        role=str(row["role"]), person_id=str(row["person_id"]), full_name=str(row.get("full_name") or ""),
        person_type=str(row.get("person_type") or ""), mentee_category=str(row.get("mentee_category") or ""),
        forms=_split(row.get("forms")), variants=_split(row.get("variants")), pair_ids=_split(row.get("pair_ids")),
        other_ids=_split(row.get("other_ids")), other_names=_split(row.get("other_names")),
        statuses=_split(row.get("statuses")), outcomes=_split(row.get("outcomes")), pd_consent_date=consent,
        mentoring_consent_date=_as_date(mentoring),
        mentoring_consent="" if _as_date(mentoring) else str(mentoring or ""), **dates,
    )


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(str(value), "%d.%m.%Y").date()
    except ValueError:
        return None


def _excluded(row: Row) -> ExcludedPerson:
    return ExcludedPerson(role=str(row.get("role") or ""), person_id=str(row.get("person_id") or ""),
                          pair_ids=_split(row.get("pair_ids")), missing=str(row.get("missing") or ""),
                          sheet=str(row.get("sheet") or ""), row=row.get("row") if isinstance(row.get("row"), int)
                          else None)


def _per_pair(people: Sequence[RegistryPerson], attribute: str) -> dict[str, int]:
    """Pairs by form (or status) where a row names one pair and one value; the rest «не указано»."""
    known: dict[str, str] = {}
    every: set[str] = set()
    for p in people:
        every.update(id_key(i) for i in p.pair_ids)
        values = getattr(p, attribute)
        if len(p.pair_ids) == 1 and len(values) == 1:
            known.setdefault(id_key(p.pair_ids[0]), values[0])
    return dict(Counter(known.get(i, NO_VALUE) for i in every))


def _head(rows: list[tuple[int, list[Any]]], r: int) -> str:
    return next((str(c[0]) for i, c in rows if i == r and c and c[0] != ""), "")


def _card_and_quarter(people_rows: list[Row], sheet: list[tuple[int, list[Any]]], path: Path) -> tuple[OrgCard, str]:
    title = _TITLE.match(_head(sheet, 0).strip())
    note = _head(sheet, 1)
    first = people_rows[0] if people_rows else {}
    quarter_text = str(first.get("quarter") or (title["quarter"] if title else ""))
    try:
        quarter = parse_quarter(quarter_text).label
    except BookError:
        raise BookError(f"В выгрузке персонифицированного учёта «{path.name}» не указан квартал: сформируйте учёт "
                        "заново командой nastavnik registry.", path=str(path), code="bad-registry") from None
    inn, municipality = _INN.search(note), _MUNICIPALITY.search(note)
    card = OrgCard(org_name=str(first.get("org_name") or (title["org"] if title else "")).strip(),
                   inn=str(first.get("inn") or (inn.group(1) if inn else "")).strip(),
                   municipality=str(first.get("municipality") or (municipality.group(1) if municipality else "")).strip())
    return card, quarter


def read_export(path: Path, modified: dt.datetime) -> OrgSummary | None:
    """The export as an organisation's summary; None when the file is not an exported registry."""
    workbook, kind = open_workbook(path)
    try:
        names = list(workbook.sheet_names)
        if not is_export(names):
            return None
        people_name = _sheet(names, SHEET_NAME) or SHEET_NAME
        excluded_name = _sheet(names, EXCLUDED_SHEET_NAME)
        guard_sheets(path, kind, [n for n in (people_name, excluded_name) if n])
        sheet = sheet_rows(workbook, people_name, path, MAX_SHEET_CELLS)
        rows = [r for r in read_table(PEOPLE, people_name, sheet).rows if r.get("person_id")]
        excluded = read_table(EXCLUDED, excluded_name, sheet_rows(workbook, excluded_name, path, MAX_SHEET_CELLS)
                              ).rows if excluded_name else []
    except BookError as exc:
        raise about_file(exc, path) from None
    finally:
        workbook.close()
    card, quarter = _card_and_quarter(rows, sheet, path)
    people = tuple(registry_person(_person(r, path)) for r in rows)
    roles = Counter(p.role == MENTOR for p in people)
    return OrgSummary(
        source=str(path), kind=EXPORT, modified=modified, card=card, mentors=roles[True], mentees=roles[False],
        pairs=len({id_key(i) for p in people for i in p.pair_ids}),
        pairs_by_form=_per_pair(people, "forms"), pairs_by_status=_per_pair(people, "statuses"),
        registry=book_registry(people, (_excluded(r) for r in excluded if r.get("person_id")), quarter),
    )
