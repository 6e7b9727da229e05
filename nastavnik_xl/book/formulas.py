"""Worksheet formulas that make the book useful without Python.

They use structured references to the Excel Tables (``Mentees[ID наставляемого]``), so they
follow the tables as curators add rows. Each formula mirrors a Python function (named in its
docstring) and tests check that LibreOffice computes the same numbers.
"""

from __future__ import annotations

from nastavnik_xl.schema import MEETINGS, MENTEES, MENTORS, ORGANISATION, PAIRS, TARGETS, CoverageGroup, Sheet


def ref(sheet: Sheet, field: str) -> str:
    """Structured reference to a table column: ``Pairs[Дата начала]``."""
    header = sheet.column(field).header
    escaped = "".join("'" + ch if ch in "[]#'" else ch for ch in header)
    return f"{sheet.table}[{escaped}]"


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def covered(group: CoverageGroup, year_cell: str) -> str:
    """People of ``group`` with a pair active in the year (mirrors ``coverage.covered_mentees``)."""
    ids = ref(MENTEES, "mentee_id")
    types = "+".join(f"({ref(MENTEES, 'participant_type')}={_q(t)})" for t in group.participant_types)
    pair_mentee, start, end = ref(PAIRS, "mentee_id"), ref(PAIRS, "start_date"), ref(PAIRS, "actual_end")
    year_end = f'"<="&DATE({year_cell},12,31)'
    year_start = f'">="&DATE({year_cell},1,1)'
    open_pairs = f'COUNTIFS({pair_mentee},{ids},{start},{year_end},{end},"")'
    ended_pairs = f"COUNTIFS({pair_mentee},{ids},{start},{year_end},{end},{year_start})"
    return (f"SUMPRODUCT(({types})*({ids}<>\"\")*(({open_pairs}+{ended_pairs})>0)"
            f"/COUNTIF({ids},{ids}&\"\"))")


def denominator(group: CoverageGroup, year_cell: str) -> str:
    """The group's contingent in the year (mirrors ``coverage.denominator``)."""
    year_col = ref(ORGANISATION, "year")
    main = f"SUMIFS({ref(ORGANISATION, group.denominator)},{year_col},{year_cell})"
    if not group.fallback_denominator:
        return main
    fallback = f"SUMIFS({ref(ORGANISATION, group.fallback_denominator)},{year_col},{year_cell})"
    return f"IF({main}>0,{main},{fallback})"


def actual_pct(actual_cell: str, denominator_cell: str) -> str:
    return f'IF(N({denominator_cell})>0,{actual_cell}/{denominator_cell},"")'


def gap(pct_cell: str, target_cell: str) -> str:
    return f'IF(AND(ISNUMBER({pct_cell}),ISNUMBER({target_cell})),({pct_cell}-{target_cell})*100,"")'


def count_filled(sheet: Sheet, field: str) -> str:
    return f"COUNTA({ref(sheet, field)})"


def count_if(sheet: Sheet, field: str, value: str) -> str:
    return f"COUNTIFS({ref(sheet, field)},{_q(value)})"


def distinct_pairs() -> str:
    ids = ref(PAIRS, "pair_id")
    return f'SUMPRODUCT(({ids}<>"")/COUNTIF({ids},{ids}&""))'


def mentees_without_pair() -> str:
    ids = ref(MENTEES, "mentee_id")
    return f'SUMPRODUCT(({ids}<>"")*(COUNTIF({ref(PAIRS, "mentee_id")},{ids})=0))'


def text_dates(fields: dict[Sheet, tuple[str, ...]]) -> str:
    """How many date cells hold text instead of a date (Excel does not count them)."""
    parts = [f"SUMPRODUCT(--ISTEXT({ref(s, f)}))" for s, fs in fields.items() for f in fs]
    return "+".join(parts)


def target_lookup(column_field: str, year_cell: str, group_title: str) -> str:
    """A figure of «Целевые показатели» for a year and group (one row matches)."""
    return (f"SUMIFS({ref(TARGETS, column_field)},{ref(TARGETS, 'year')},{year_cell},"
            f"{ref(TARGETS, 'group')},{_q(group_title)})")


def coverage_pct(year_cell: str, group_title: str) -> str:
    actual = target_lookup("actual", year_cell, group_title)
    den = target_lookup("denominator", year_cell, group_title)
    return f'IF({den}>0,{actual}/{den},"нет контингента")'


TEXT_DATE_FIELDS: dict[Sheet, tuple[str, ...]] = {
    PAIRS: ("start_date", "actual_end"),
    MENTEES: ("pd_consent_date",),
    MENTORS: ("pd_consent_date",),
    MEETINGS: ("date",),
}
