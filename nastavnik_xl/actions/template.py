"""The empty curator's book: schema, typical roadmap, targets 2020–2030, formulas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from nastavnik_xl.actions.coverage import (
    CoverageRow,
    coverage,
    default_targets,
    mentee_year_codes,
    pair_year_code,
    pair_years,
)
from nastavnik_xl.actions.figures import key_figures, text_dates_in_rows
from nastavnik_xl.book.builder import BookContent, build_book
from nastavnik_xl.book.server_link import ServerLink
from nastavnik_xl.dates import academic_year_start, due_range
from nastavnik_xl.resources import load_toml
from nastavnik_xl.schema import YEAR_CODE_WINDOWS, coverage_groups, lookups, target_years


def roadmap_rows(first_year: int) -> list[dict[str, Any]]:
    """The typical roadmap for the academic year that starts in ``first_year``."""
    stages = lookups()["roadmap_stages"].values
    rows = []
    counters: dict[int, int] = {}
    for item in load_toml("roadmap")["item"]:
        stage = int(item["stage"])
        counters[stage] = counters.get(stage, 0) + 1
        due = item["due"].format(Y=first_year, Y1=first_year + 1)
        rows.append({
            "item_no": f"{stage}.{counters[stage]}",
            "stage": stages[stage - 1],
            "activity": item["activity"],
            "due": due,
            "due_date": due_range(due)[1],
            "owner": item["owner"],
            "deliverable": item["deliverable"],
            "kpi": item["kpi"],
            "status": "не начато",
        })
    return rows


def target_rows(results: list[CoverageRow] | None = None) -> list[dict[str, Any]]:
    """Rows of «Целевые показатели» (year × group) with default targets and computed figures."""
    by_key = {(r.year, r.group): r for r in results or []}
    rows = []
    for year in target_years():
        for group in coverage_groups():
            r = by_key.get((year, group.key))
            rows.append({
                "year": year, "group": group.title, "target_pct": group.targets.get(year),
                "denominator": r.denominator if r else 0, "actual": r.actual if r else None,
                "actual_pct": r.actual_pct if r else None, "gap": r.gap_pp if r else None,
            })
    return rows


def contingent_rows() -> list[dict[str, Any]]:
    return [{"year": y} for y in target_years()]


def finish_content(content: BookContent) -> BookContent:
    """Fill the computed parts (targets, panel figures) from the content's own rows."""
    mentees, pairs = content.rows.get("mentees", []), content.rows.get("pairs", [])
    targets = default_targets()
    targets.update({(row["year"], g.key): row.get("target_pct")
                    for row in content.targets for g in coverage_groups() if g.title == row["group"]})
    horizon = content.card.get("reporting_year")
    results = coverage(mentees, pairs, content.contingent, targets,
                       horizon=horizon if isinstance(horizon, int) else None)
    computed = target_rows(results)
    if content.targets:  # keep the content's own targets
        own = {(r["year"], r["group"]): r.get("target_pct") for r in content.targets}
        for row in computed:
            row["target_pct"] = own.get((row["year"], row["group"]), row["target_pct"])
    content.targets = computed
    for mentee, years in zip(mentees, pair_years(mentees, pairs, target_years()), strict=True):
        mentee["pair_years"] = years
    for window in YEAR_CODE_WINDOWS:
        for pair in pairs:
            pair[f"years_code_{window}"] = pair_year_code(pair, window)
        for mentee, code in zip(mentees, mentee_year_codes(mentees, pairs, window), strict=True):
            mentee[f"years_code_{window}"] = code
    content.figures = key_figures(content.rows, text_dates_in_rows(content.rows))
    return content


def new_book(path: Path, org_name: str = "", year: int | None = None, today: dt.date | None = None,
             server: ServerLink | None = None) -> Path:
    """Write an empty curator's book to ``path``; with ``server`` (an .xlsm only) its buttons call the МНЦ's
    server instead of the local Python."""
    today = today or dt.date.today()
    first_year = academic_year_start(today)
    card: dict[str, Any] = {"org_name": org_name or None, "reporting_year": year or today.year}
    content = BookContent(card=card, contingent=contingent_rows(), rows={"roadmap": roadmap_rows(first_year)})
    return build_book(path, finish_content(content), server=server)


# The books users download from the repository (workbook/), rebuilt by `python -m nastavnik_xl.actions.template`:
# the plain book (formulas and dropdowns work anywhere) and the one with buttons (macros, Excel + xlwings).
SHIPPED_BOOK = "nastavnik-kurator.xlsx"
SHIPPED_MACRO_BOOK = "Наставничество.xlsm"
SHIPPED_DATE = dt.date(2026, 9, 1)  # the academic year its roadmap is dated for


def build_shipped_book(folder: Path) -> Path:
    return new_book(folder / SHIPPED_BOOK, today=SHIPPED_DATE)


def build_shipped_macro_book(folder: Path) -> Path:
    return new_book(folder / SHIPPED_MACRO_BOOK, today=SHIPPED_DATE)


if __name__ == "__main__":
    from nastavnik_xl.resources import data_dir

    print(build_shipped_book(data_dir("workbook")))
    print(build_shipped_macro_book(data_dir("workbook")))
