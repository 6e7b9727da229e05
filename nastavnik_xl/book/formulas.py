"""Worksheet formulas that make the book useful without Python.

They use structured references to the Excel Tables (``Mentees[ID наставляемого]``), so they
follow the tables as curators add rows. Each formula mirrors a Python function (named in its
docstring) and tests check that LibreOffice computes the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from nastavnik_xl.schema import (
    MEETINGS,
    MENTEES,
    MENTORS,
    NO_CONTINGENT,
    ORGANISATION,
    PAIRS,
    ROADMAP,
    SURVEYS,
    TARGETS,
    YEAR_CODE_BASE,
    YEAR_CODE_SPAN,
    YEAR_CODE_WINDOWS,
    ColType,
    CoverageGroup,
    Sheet,
)


def ref(sheet: Sheet, field: str) -> str:
    """Structured reference to a table column: ``Pairs[[Дата начала]]``."""
    header = sheet.column(field).header
    escaped = "".join("'" + ch if ch in "[]#'" else ch for ch in header)
    return f"{sheet.table}[[{escaped}]]"  # double brackets: valid for headers with spaces and commas


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def this_row(sheet: Sheet, field: str) -> str:
    """This row's cell of a table column: ``Pairs[[#This Row],[Дата начала]]``."""
    header = "".join("'" + ch if ch in "[]#'" else ch for ch in sheet.column(field).header)
    return f"{sheet.table}[[#This Row],[{header}]]"


def pair_year_code(window: int) -> str:
    """A pair row's active years within [window, window+5], as base-256 digits (1 per year).

    Mirrors ``coverage.pair_year_code``: a pair is active from the year of its start to the year
    of its actual end (no end: to this day); a start or end that is not a date makes it count nowhere.
    """
    start, end = this_row(PAIRS, "start_date"), this_row(PAIRS, "actual_end")
    first = f"MAX(YEAR({start}),{window})"
    last = f'MIN(IF({end}="",9999,YEAR({end})),{window + YEAR_CODE_SPAN - 1})'
    code = f"({YEAR_CODE_BASE}^({last}-{window}+1)-{YEAR_CODE_BASE}^({first}-{window}))/{YEAR_CODE_BASE - 1}"
    valid = f'AND(ISNUMBER({start}),OR({end}="",ISNUMBER({end})))'
    return f"IF({valid},IF({last}>={first},{code},0),0)"


def _first_occurrence(sheet: Sheet, id_field: str) -> str:
    """True on the first row of an ID (a repeated ID is one person)."""
    this = this_row(sheet, id_field)
    return f"MATCH({this},{ref(sheet, id_field)},0)=ROW()-ROW({sheet.table}[#Headers])"


def mentee_year_code(window: int) -> str:
    """Sum of the codes of the mentee's pairs (one SUMIFS a row keeps LibreOffice fast)."""
    this = this_row(MENTEES, "mentee_id")
    field = f"years_code_{window}"
    total = f"SUMIFS({ref(PAIRS, field)},{ref(PAIRS, 'mentee_id')},{this})"
    return f'IF({this}="",0,IF({_first_occurrence(MENTEES, "mentee_id")},{total},0))'


def pair_years(years: Iterable[int]) -> str:
    """«Годы с парой (расчёт)»: "2023 2024" — the years whose digit in the codes is not 0."""
    parts = []
    for y in years:
        window = max(w for w in YEAR_CODE_WINDOWS if w <= y)
        code = this_row(MENTEES, f"years_code_{window}")
        parts.append(f'IF(MOD(INT({code}/{YEAR_CODE_BASE}^{y - window}),{YEAR_CODE_BASE})>0,"{y} ","")')
    return f"TRIM({'&'.join(parts)})"


def covered(group: CoverageGroup, year_cell: str, horizon_cell: str) -> str:
    """People of ``group`` with a pair active in the year (mirrors ``coverage.covered_mentees``).

    Empty after the reporting year (``horizon_cell``): an open pair says nothing about the future.
    """
    years = ref(MENTEES, "pair_years")
    count = "+".join(f'COUNTIFS({ref(MENTEES, "participant_type")},{_q(t)},{years},"*"&{year_cell}&"*")'
                     for t in group.participant_types)
    return f'IF(AND(ISNUMBER({horizon_cell}),{year_cell}>{horizon_cell}),"",{count})'


def denominator(group: CoverageGroup, year_cell: str) -> str:
    """The group's contingent in the year (mirrors ``coverage.denominator``)."""
    year_col = ref(ORGANISATION, "year")
    main = f"SUMIFS({ref(ORGANISATION, group.denominator)},{year_col},{year_cell})"
    if not group.fallback_denominator:
        return main
    fallback = f"SUMIFS({ref(ORGANISATION, group.fallback_denominator)},{year_col},{year_cell})"
    return f"IF({main}>0,{main},{fallback})"


def actual_pct(actual_cell: str, denominator_cell: str) -> str:
    """The share covered; «нет контингента» for people counted over no contingent; blank with no count.

    No count: a year after the reporting year (``covered`` is blank there). Mirrors ``coverage.coverage``."""
    return (f'IF(ISNUMBER({actual_cell}),IF(N({denominator_cell})>0,{actual_cell}/{denominator_cell},'
            f'"{NO_CONTINGENT}"),"")')


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
    return f'IF({den}>0,{actual}/{den},"{NO_CONTINGENT}")'


TEXT_DATE_FIELDS: dict[Sheet, tuple[str, ...]] = {
    sheet: tuple(c.field for c in sheet.columns if c.type is ColType.DATE)
    for sheet in (ROADMAP, MENTORS, MENTEES, PAIRS, MEETINGS, SURVEYS)
}
"""The date columns whose text-typed cells «Панель» counts (every date column of every table)."""
