"""Benchmark of the regional summary (issue 16): one command, one table.

    python benchmarks/summary.py [--books DIR] [--count 800] [--jobs 2] [--period 2024Q4]
                                 [--pandas-sample 24] [--validate-sample 60] [--detail-sample 20]

In one run, on the same files: the summary (``summarise`` on a process pool, then the summary
book; the consolidated registry file timed on its own line), the bare python-calamine parse on a
pool of the same size (open the file, every sheet to Python lists: the floor any reader stands
on), ``pandas.read_excel(engine="openpyxl")`` on a sample in one process, extrapolated to all the
books, and ``summarise(validate=True)`` on a sample. Wall times; peak memory is the resident set
of the whole process tree (this process, the pool's server and workers), sampled from /proc every
0.1 s (Linux). Then where the time of one book goes (CPU time in one process, medians over a sample).

The books. The demo generator builds every book through the full builder (Excel Tables, dropdowns,
formulas prepared by XlsxWriter): right for the showcase, too slow for 800 books. The generator
below writes the same sheets in the same order with the same headers, and the same long formulas
(with cached values) in the computed columns of «Наставляемые» and «Пары», plus 200 spare formula
rows under them as the builder does, so calamine parses books of the demo's shape. What it leaves
out: Excel Tables, dropdowns, hints and print setup (parts calamine does not read). Every book is
generated from its own seed: its own organisation card (name, ИНН, municipality of 20, type),
contingent, people, pairs, meetings, answers and roadmap; nothing is copied between books. Shape
per book: 100 mentors, 500 mentees, ≈ 550 pair rows, ≈ 2,100 meetings, ≈ 1,350 answers,
34 roadmap items, 33 target rows, 11 contingent years — ≈ 4,600 table rows over 7 tables.
The books are kept in ``--books`` (default: a folder in the system's temp) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import pickle
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import python_calamine
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nastavnik_xl.actions.coverage import mentee_year_codes, pair_year_code, pair_years
from nastavnik_xl.actions.summary.collect import needs, no_cycle_collector, rows_kept, summarise_book
from nastavnik_xl.actions.summary.model import Period
from nastavnik_xl.actions.summary.run import Summary, resolve_period, summarise
from nastavnik_xl.book import formulas
from nastavnik_xl.book.fast import WHOLE, Keep, guard_sheets, read_columns, read_fast
from nastavnik_xl.book.output.summary_book import write_registry_book, write_summary_book
from nastavnik_xl.book.reader import open_workbook, plan_sheets, read_organisation, read_table
from nastavnik_xl.schema import (
    LOOKUPS_NAME,
    MEETINGS,
    MENTEES,
    MENTORS,
    ORGANISATION,
    PAIRS,
    PANEL_NAME,
    ROADMAP,
    SURVEYS,
    TARGETS,
    YEAR_CODE_WINDOWS,
    ColType,
    Sheet,
    coverage_groups,
    lookups,
    target_years,
    variants_by_form,
)

MENTORS_PER_BOOK = 100
MENTEES_PER_BOOK = 500
SPARE_ROWS = 200
REPORTING_YEAR = 2024
MUNICIPALITIES = tuple(f"{name} муниципальный округ" for name in (
    "Сосновский", "Берёзовский", "Озёрский", "Заречный", "Каменский", "Луговской", "Лесной", "Речной",
    "Полевой", "Северный", "Южный", "Восточный", "Западный", "Горный", "Степной", "Ключевской",
    "Дубравный", "Кедровый", "Светлый", "Зелёный"))
SURNAMES = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Волков", "Орлов", "Зайцев", "Соколов",
            "Лебедев", "Козлов", "Новиков", "Морозов", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов",
            "Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров", "Киселёв", "Макаров")
MALE = ("Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
        "Никита", "Матвей", "Роман", "Егор", "Иван", "Денис", "Тимофей", "Лев")
FEMALE = ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Екатерина", "Дарья", "Полина", "Алиса", "Софья",
          "Виктория", "Ксения", "Вероника", "Арина", "Ева", "Милана", "Татьяна", "Ирина")
PATRONYMIC_ROOTS = ("Александров", "Дмитриев", "Сергеев", "Андреев", "Алексеев", "Михайлов", "Иванов", "Петров",
                    "Николаев", "Владимиров", "Викторов", "Олегов")
SUBJECTS = ("математика", "русский язык", "физика", "химия", "биология", "история", "обществознание",
            "английский язык", "информатика", "литература", "география")
INTERESTS = ("шахматы", "футбол", "робототехника", "рисование", "музыка", "театр", "волонтёрство", "туризм",
             "программирование", "чтение", "танцы", "баскетбол")
MEETING_TOPICS = ("Знакомство, обсуждение ожиданий", "Составление индивидуального плана", "Разбор трудных задач",
                  "Подготовка к олимпиаде", "Проект: выбор темы", "Итоги четверти", "Профориентация: экскурсия")
QUESTIONS = ("Насколько полезны встречи с наставником?", "Насколько комфортно общение в паре?",
             "Насколько вы довольны результатами?", "Насколько ясны цели программы?")


def _name(rng: random.Random, female: bool | None = None) -> str:
    female = rng.random() < 0.5 if female is None else female
    surname = rng.choice(SURNAMES) + ("а" if female else "")
    patronymic = rng.choice(PATRONYMIC_ROOTS) + ("на" if female else "ич")
    return f"{surname} {rng.choice(FEMALE if female else MALE)} {patronymic}"


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange(max((last - first).days, 1)))


def _phone(rng: random.Random) -> str:
    return f"+7 ({rng.randrange(900, 999)}) {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"


# --- content ---------------------------------------------------------------------------------------


def organisation(index: int, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(("СОШ", "СОШ", "СОШ", "гимназия", "лицей", "ООШ"))
    number = index + 1
    full = {"СОШ": "Средняя общеобразовательная школа", "ООШ": "Основная общеобразовательная школа"}
    return {
        "org_name": f"МБОУ «{full.get(kind, kind.capitalize())} № {number}»",
        "short_name": f"МБОУ {kind} № {number}",
        "inn": str(7700000000 + index * 7919 % 100000000 + index),
        "municipality": MUNICIPALITIES[index % len(MUNICIPALITIES)],
        "org_type": kind,
        "curator": _name(rng),
        "curator_contact": _phone(rng),
        "order_ref": f"Приказ № {rng.randrange(10, 300)} от 01.09.2020",
        "reporting_year": REPORTING_YEAR,
    }


def contingent(rng: random.Random) -> list[dict[str, Any]]:
    total = rng.randrange(600, 1200)
    teachers = rng.randrange(40, 90)
    rows = []
    for year in target_years():
        if year > REPORTING_YEAR:
            rows.append({"year": year})
            continue
        total += rng.randrange(-20, 30)
        rows.append({"year": year, "students_total": total, "students_10_19": int(total * 0.6),
                     "teachers": teachers, "young_specialists": rng.randrange(3, 10)})
    return rows


def mentors(rng: random.Random) -> list[dict[str, Any]]:
    categories = ["педагог"] * 40 + ["обучающийся"] * 30 + ["студент"] * 10 + ["сотрудник предприятия"] * 12 + \
        ["родитель"] * 4 + ["выпускник"] * 4
    forms = {"педагог": "учитель – учитель", "обучающийся": "ученик – ученик", "студент": "студент – ученик",
             "сотрудник предприятия": "работодатель – ученик", "родитель": "работодатель – ученик",
             "выпускник": "студент – ученик"}
    out = []
    for i in range(1, MENTORS_PER_BOOK + 1):
        category = categories[i - 1]
        adult = category not in ("обучающийся", "студент")
        birth = _day(rng, dt.date(1965, 1, 1), dt.date(1998, 1, 1)) if adult else \
            _day(rng, dt.date(2003, 1, 1), dt.date(2009, 1, 1))
        consent = _day(rng, dt.date(2020, 8, 20), dt.date(2024, 9, 1))
        out.append({
            "mentor_id": f"Н-{i:04d}", "full_name": _name(rng), "birth_date": birth, "mentor_category": category,
            "org": "МБОУ" if category in ("педагог", "обучающийся") else "ООО «Предприятие»",
            "position_or_grade": "учитель" if category == "педагог" else f"{rng.randrange(8, 12)} класс",
            "subject": rng.choice(SUBJECTS), "experience_years": rng.randrange(1, 30) if adult else None,
            "contact": _phone(rng), "interests": "; ".join(rng.sample(INTERESTS, 2)),
            "competencies": "работа в команде; публичные выступления", "forms": forms[category],
            "mentor_type": rng.choice(("консультант", "предметник")), "preferred_mentees": "без предпочтений",
            "availability": "вт, чт после уроков", "capacity": rng.randrange(2, 7),
            "trained_on": consent + dt.timedelta(days=10), "interview_done": "да", "pd_consent_date": consent,
            "mentoring_consent_date": consent if category in ("педагог", "сотрудник предприятия") else None,
            "status": rng.choice(("активен", "активен", "обучен", "выбыл")),
        })
    return out


def mentees(rng: random.Random) -> list[dict[str, Any]]:
    types = ["обучающийся"] * 425 + ["педагог"] * 35 + ["молодой специалист"] * 25 + ["студент"] * 15
    rng.shuffle(types)
    categories = lookups()["mentee_categories"].values
    out = []
    for i in range(1, MENTEES_PER_BOOK + 1):
        kind = types[i - 1]
        pupil = kind in ("обучающийся", "студент")
        birth = _day(rng, dt.date(2006, 1, 1), dt.date(2014, 1, 1)) if pupil else \
            _day(rng, dt.date(1970, 1, 1), dt.date(2001, 1, 1))
        entry = _day(rng, dt.date(2020, 9, 1), dt.date(2024, 11, 1))
        out.append({
            "mentee_id": f"НЛ-{i:04d}", "full_name": _name(rng), "birth_date": birth, "participant_type": kind,
            "mentee_category": rng.choice(categories), "grade_or_position": f"{rng.randrange(5, 12)}А" if pupil
            else "учитель", "subject": rng.choice(SUBJECTS), "request": "Подтянуть предмет, подготовиться к экзамену",
            "request_source": "классный руководитель", "interests": "; ".join(rng.sample(INTERESTS, 2)),
            "availability": "после уроков", "pd_consent_date": entry - dt.timedelta(days=rng.randrange(0, 10)),
            "entry_date": entry, "status": "в паре", "no_pair_reason": None,
        })
    return out


def _form_for(kind: str, rng: random.Random) -> str:
    if kind in ("педагог", "молодой специалист"):
        return "учитель – учитель"
    if kind == "студент":
        return "работодатель – студент"
    return rng.choice(("ученик – ученик", "ученик – ученик", "ученик – ученик", "студент – ученик",
                       "работодатель – ученик"))


def _mentor_for(form: str, mentor_rows: Sequence[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    fitting = [m for m in mentor_rows if m["forms"] == form] or list(mentor_rows)
    return rng.choice(fitting)


def pairs(mentee_rows: list[dict[str, Any]], mentor_rows: list[dict[str, Any]],
          rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    number = 0
    for mentee in mentee_rows:
        if rng.random() < 0.12:  # no pair yet: the reason is recorded
            mentee["status"], mentee["no_pair_reason"] = "в базе", "не подобран наставник"
            continue
        for _ in range(2 if rng.random() < 0.2 else 1):
            number += 1
            form = _form_for(mentee["participant_type"], rng)
            start = max(mentee["entry_date"] + dt.timedelta(days=rng.randrange(1, 14)), dt.date(2020, 9, 15))
            planned = dt.date(start.year + (start.month >= 9), 5, 31)
            ended = planned < dt.date(REPORTING_YEAR, 12, 1) and rng.random() < 0.9
            actual = planned - dt.timedelta(days=rng.randrange(0, 20)) if ended else None
            status = "завершена" if ended else rng.choice(("действует", "действует", "сформирована"))
            if ended and rng.random() < 0.06:
                status = "расторгнута"
            out.append({
                "pair_id": f"П-{number:04d}", "form": form, "variant": rng.choice(variants_by_form()[form]),
                "mentor_id": _mentor_for(form, mentor_rows, rng)["mentor_id"], "mentee_id": mentee["mentee_id"],
                "match_method": "быстрые встречи", "match_score": round(rng.uniform(0.5, 1), 2),
                "order_ref": f"Приказ № {rng.randrange(100, 300)} от {start:%d.%m.%Y}", "start_date": start,
                "planned_end": planned, "actual_end": actual, "plan_approved": "да",
                "plan_pct": round(rng.uniform(0.1, 1), 2), "status": status,
                "outcome": "Успеваемость улучшена" if ended else None,
            })
    return out


def meetings(pair_rows: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    types = lookups()["meeting_types"].values
    out = []
    for pair in pair_rows:
        last = pair["actual_end"] or dt.date(REPORTING_YEAR, 12, 20)
        for k in range(rng.randrange(2, 6) + (rng.random() < 0.3)):
            out.append({
                "meeting_id": f"В-{len(out) + 1:05d}", "pair_id": pair["pair_id"],
                "meeting_type": types[min(k, len(types) - 1)], "date": _day(rng, pair["start_date"], last),
                "format": "очно", "duration_min": rng.choice((40, 45, 50, 60)), "topic": rng.choice(MEETING_TOPICS),
                "confirmation": "запись в дневнике наставника", "notes": None,
            })
    return out


def answers(pair_rows: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for pair in pair_rows:
        when = pair["actual_end"] or pair["planned_end"]
        for survey in ("удовлетворённость", "влияние программы (вход/выход)"):
            for question in rng.sample(QUESTIONS, 1 if rng.random() < 0.8 else 2):
                out.append({
                    "response_id": f"А-{len(out) + 1:05d}", "survey": survey, "phase": "выход",
                    "respondent_id": pair["mentee_id"], "role": "наставляемый", "pair_id": pair["pair_id"],
                    "date": when, "question": question, "score": rng.randrange(4, 11), "text": None,
                    "swot_tag": None, "preferred_ids": None,
                })
    return out


def roadmap(rng: random.Random) -> list[dict[str, Any]]:
    stages = lookups()["roadmap_stages"].values
    out = []
    for i in range(34):
        due = dt.date(2020 + i // 7, rng.randrange(1, 13), 28)
        done = due < dt.date(REPORTING_YEAR, 9, 1) and rng.random() < 0.85
        out.append({
            "item_no": f"{i // 5 + 1}.{i % 5 + 1}", "stage": stages[min(i // 5, len(stages) - 1)],
            "activity": f"Мероприятие дорожной карты № {i + 1}", "due": f"{due:%m.%Y}", "due_date": due,
            "owner": "Куратор", "deliverable": "Приказ", "kpi": "Проведено",
            "status": "выполнено" if done else rng.choice(("не начато", "в работе", "перенесено")),
            "done_date": due - dt.timedelta(days=rng.randrange(0, 20)) if done else None,
        })
    return out


def targets() -> list[dict[str, Any]]:
    return [{"year": year, "group": g.title, "target_pct": g.targets.get(year)}
            for year in target_years() for g in coverage_groups()]


# --- writing -----------------------------------------------------------------------------------------


class _Writer:
    """One book: formats, and cell writing that keeps text as text and dates as dates."""

    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                  "strings_to_urls": False})
        self.date = self.wb.add_format({"num_format": "dd.mm.yyyy"})
        self.pct = self.wb.add_format({"num_format": "0%"})
        self.formulas: dict[str, str] = {}

    def cell(self, ws: Worksheet, r: int, c: int, value: Any, kind: ColType = ColType.TEXT) -> None:
        if value is None:
            return
        if isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.date)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, self.pct if kind is ColType.PERCENT else None)
        else:
            ws.write_string(r, c, str(value))

    def table(self, spec: Sheet, rows: list[dict[str, Any]], computed: dict[str, list[Any]]) -> None:
        ws = self.wb.add_worksheet(spec.name)
        _prepare_once(ws)
        for c, col in enumerate(spec.columns):
            ws.write_string(0, c, col.header)
        for r, row in enumerate(rows, start=1):
            for c, col in enumerate(spec.columns):
                if not col.computed:
                    self.cell(ws, r, c, row.get(col.field), col.type)
        for c, col in enumerate(spec.columns):
            if col.computed:
                formula = self._formula(spec, col.field)
                values = computed[col.field]
                for r in range(1, len(rows) + SPARE_ROWS + 1):
                    ws.write_formula(r, c, formula, None, values[r - 1] if r <= len(rows) else "")

    def _formula(self, spec: Sheet, field: str) -> str:
        key = f"{spec.key}.{field}"
        if key not in self.formulas:
            if field == "pair_years":
                text = formulas.pair_years(target_years())
            elif spec.key == "pairs":
                text = formulas.pair_year_code(int(field.rsplit("_", 1)[1]))
            else:
                text = formulas.mentee_year_code(int(field.rsplit("_", 1)[1]))
            self.formulas[key] = "=" + text
        return self.formulas[key]


def _prepare_once(ws: Worksheet) -> None:
    """XlsxWriter rewrites each formula with ~30 regex passes; the same text gives the same result."""
    cache: dict[tuple[str, bool], str] = {}
    prepare = ws._prepare_formula

    def cached(formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, expand_future_functions)
        if key not in cache:
            cache[key] = prepare(formula, expand_future_functions)
        return cache[key]

    ws._prepare_formula = cached  # type: ignore[method-assign]


def _panel(w: _Writer, card: dict[str, Any], counts: dict[str, int]) -> None:
    ws = w.wb.add_worksheet(PANEL_NAME)
    ws.write_string(0, 0, "Наставничество: книга куратора")
    ws.write_string(1, 0, card["org_name"])
    for r, (label, value) in enumerate((("Муниципальное образование", card["municipality"]),
                                        ("Куратор", card["curator"]), ("Отчётный год", card["reporting_year"]),
                                        *counts.items()), start=3):
        ws.write_string(r, 0, label)
        w.cell(ws, r, 1, value)


def _organisation(w: _Writer, card: dict[str, Any], years: list[dict[str, Any]]) -> None:
    ws = w.wb.add_worksheet(ORGANISATION.name)
    ws.write_string(0, 0, "Организация")
    for i, col in enumerate(ORGANISATION.card):
        ws.write_string(2 + i, 0, col.header)
        w.cell(ws, 2 + i, 1, card.get(col.field))
    head = 3 + len(ORGANISATION.card)
    ws.write_string(head - 1, 0, "Контингент по годам (для расчёта охвата)")
    for c, col in enumerate(ORGANISATION.columns):
        ws.write_string(head, c, col.header)
    for r, row in enumerate(years, start=head + 1):
        for c, col in enumerate(ORGANISATION.columns):
            w.cell(ws, r, c, row.get(col.field))


def _lookups(w: _Writer) -> None:
    ws = w.wb.add_worksheet(LOOKUPS_NAME)
    for c, lk in enumerate(x for x in lookups().values() if not x.internal):
        ws.write_string(0, c, lk.title)
        for r, value in enumerate(lk.values, start=1):
            ws.write_string(r, c, value)


def write_school(path: Path, index: int, seed: int = 16) -> Path:
    """Generate and write school book number ``index`` (deterministic for the seed)."""
    rng = random.Random(seed * 1_000_003 + index)
    card = organisation(index, rng)
    mentor_rows, mentee_rows = mentors(rng), mentees(rng)
    pair_rows = pairs(mentee_rows, mentor_rows, rng)
    meeting_rows, answer_rows = meetings(pair_rows, rng), answers(pair_rows, rng)
    w = _Writer(path)
    _panel(w, card, {"Наставников в базе": len(mentor_rows), "Наставляемых в базе": len(mentee_rows),
                     "Пар и групп": len({p["pair_id"] for p in pair_rows}), "Встреч в журнале": len(meeting_rows)})
    _organisation(w, card, contingent(rng))
    w.table(ROADMAP, roadmap(rng), {})
    w.table(MENTORS, mentor_rows, {})
    years = list(target_years())
    mentee_computed: dict[str, list[Any]] = {"pair_years": pair_years(mentee_rows, pair_rows, years)}
    pair_computed: dict[str, list[Any]] = {}
    for window in YEAR_CODE_WINDOWS:
        mentee_computed[f"years_code_{window}"] = mentee_year_codes(mentee_rows, pair_rows, window)
        pair_computed[f"years_code_{window}"] = [pair_year_code(p, window) for p in pair_rows]
    w.table(MENTEES, mentee_rows, mentee_computed)
    w.table(PAIRS, pair_rows, pair_computed)
    w.table(MEETINGS, meeting_rows, {})
    w.table(SURVEYS, answer_rows, {})
    w.table(TARGETS, targets(), {})
    _lookups(w)
    w.wb.close()
    return path


def generate(folder: Path, count: int, jobs: int, seed: int = 16) -> list[Path]:
    """``count`` books in ``folder`` (those already there with the right names are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"school-{i:04d}.xlsx" for i in range(count)]
    missing = [(p, i) for i, p in enumerate(paths) if not p.exists()]
    if missing:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(write_school, [p for p, _ in missing], [i for _, i in missing], [seed] * len(missing),
                          chunksize=8))
    return paths


# --- measuring ---------------------------------------------------------------------------------------


def bare_parse(path: str) -> int:
    """Open the file and turn every sheet into Python lists; the number of cells."""
    wb = python_calamine.CalamineWorkbook.from_path(path)
    try:
        return sum(len(row) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python())
    finally:
        wb.close()


def pandas_parse(path: str) -> int:
    import pandas  # imported here: workers of the other measurements need not load it

    frames = pandas.read_excel(path, sheet_name=None, engine="openpyxl")
    return sum(f.size for f in frames.values())


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss(p) for p in _descendants(os.getpid())))
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _tree_cpu() -> float:
    """CPU seconds of this process and every descendant, with the children they have reaped (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    for pid in _descendants(os.getpid())[1:]:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
        except (OSError, ValueError, IndexError):
            continue
    return total


@dataclass
class Run:
    wall: float
    cpu: float  # of the whole process tree
    memory: int  # peak resident set of the tree
    result: Any


def timed(func: Callable[[], Any]) -> Run:
    """Wall time, CPU time and peak memory of the process tree, and the result."""
    with PeakMemory() as memory:
        cpu, start = _tree_cpu(), time.perf_counter()
        result = func()
        wall = time.perf_counter() - start
        time.sleep(0.3)  # the pool's server reaps its workers: their CPU time then counts
        cpu = _tree_cpu() - cpu
    return Run(wall, cpu, memory.peak, result)


ALL_RUNS: dict[str, list[Run]] = {}


def best(repeat: int, funcs: dict[str, Callable[[], Any]]) -> dict[str, Run]:
    """Each function ``repeat`` times, interleaved (a busy neighbour hurts all alike); the fastest run of each."""
    runs: dict[str, list[Run]] = {k: [] for k in funcs}
    for _ in range(repeat):
        for key, func in funcs.items():
            runs[key].append(timed(func))
    ALL_RUNS.update(runs)
    return {k: min(v, key=lambda r: r.wall) for k, v in runs.items()}


def pool_map(func: Callable[[str], int], paths: list[Path], jobs: int) -> int:
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
        return sum(pool.map(func, [str(p) for p in paths], chunksize=1))


def summary_and_book(paths: list[Path], period: str, jobs: int, out: Path, registry: bool) -> Summary:
    result = summarise(paths, period, jobs=jobs, registry=registry)
    write_summary_book(result, out / "сводка.xlsx")
    return result


# --- where the time of one book goes ---------------------------------------------------------------


def _cpu(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = func()
    return time.process_time() - start, result


def _typed_sheets(path: Path, workbook: Any, sheets: dict[str, Any], to_read: list[tuple[Any, str]],
                  keep: dict[str, Keep]) -> None:
    """What ``read_fast`` does with the rows: find the headers and type the columns asked for."""
    wanted = needs(True)
    for spec, name in to_read:
        rows = sheets[name]
        if spec.key == "organisation":
            read_organisation(name, rows)
        elif wanted[spec.key] == WHOLE:
            read_table(spec, name, rows)
        else:
            read_columns(spec, name, rows, wanted[spec.key], keep.get(spec.key))


def book_breakdown(path: Path, period: Period) -> dict[str, float]:
    """CPU seconds of each step of the per-book work in one process, as ``collect`` does them."""
    parts: dict[str, float] = {}
    parts["bare parse (all sheets)"], _ = _cpu(lambda: bare_parse(str(path)))
    wanted = needs(True)

    def opened() -> tuple[Any, list[tuple[Any, str]]]:
        workbook, kind = open_workbook(path)
        _, to_read, _, _ = plan_sheets(path, workbook, wanted.keys())
        guard_sheets(path, kind, [n for _, n in to_read])
        return workbook, to_read

    parts["open, sniff, guard"], (workbook, to_read) = _cpu(opened)
    parts["calamine: parse the sheets read"], loaded = _cpu(
        lambda: {n: workbook.get_sheet_by_name(n) for _, n in to_read})
    whole = {name for spec, name in to_read if spec.key == "organisation" or wanted[spec.key] == WHOLE}
    parts["rows to Python lists"], sheets = _cpu(lambda: {
        n: [(r, c) for r, c in enumerate(s.iter_rows()) if n not in whole or any(x != "" for x in c)]
        for n, s in loaded.items()})
    workbook.close()
    parts["headers, typing the columns read"], _ = _cpu(
        lambda: _typed_sheets(path, workbook, sheets, to_read, rows_kept(period)))
    book = read_fast(path, wanted, rows_kept(period))
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
    with no_cycle_collector():
        parts["figures"], _ = _cpu(lambda: summarise_book(book, modified, period, registry=False))
        with_registry, result = _cpu(lambda: summarise_book(book, modified, period, registry=True))
    parts["registry rows and person keys"] = max(with_registry - parts["figures"], 0.0)
    parts["pickling the result (both ways)"], _ = _cpu(lambda: pickle.loads(pickle.dumps(result)))
    return parts


def breakdown_table(paths: list[Path], period: Period) -> list[str]:
    samples = [book_breakdown(p, period) for p in paths]
    rows = ["| Step (one book, one process, CPU) | median ms | of the bare parse |", "|---|---|---|"]
    bare = statistics.median(s["bare parse (all sheets)"] for s in samples)
    ours = 0.0
    for key in samples[0]:
        value = statistics.median(s[key] for s in samples)
        if key != "bare parse (all sheets)":
            ours += value
        rows.append(f"| {key} | {value * 1000:.1f} | {value / bare:.0%} |")
    rows.append(f"| **per-book step, total** | {ours * 1000:.1f} | {ours / bare:.2f}× |")
    return rows


# --- the table -----------------------------------------------------------------------------------


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def _ratio(run: Run, base: Run) -> str:
    return f"{run.wall / base.wall:.2f}× wall, {run.cpu / base.cpu:.2f}× CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--books", type=Path, default=Path(tempfile.gettempdir()) / "nastavnik-summary-bench")
    parser.add_argument("--count", type=int, default=800)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--period", default="2024Q4")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--pandas-sample", type=int, default=24)
    parser.add_argument("--validate-sample", type=int, default=60)
    parser.add_argument("--detail-sample", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    paths = generate(args.books, args.count, args.jobs)
    made = time.perf_counter() - started
    out = Path(tempfile.mkdtemp(prefix="nastavnik-summary-out-"))
    n, jobs = len(paths), args.jobs
    runs = best(args.repeat, {
        "bare": lambda: pool_map(bare_parse, paths, jobs),
        "ours": lambda: summary_and_book(paths, args.period, jobs, out, registry=True),
        "no registry": lambda: summary_and_book(paths, args.period, jobs, out, registry=False),
    })
    bare, ours, noreg = runs["bare"], runs["ours"], runs["no registry"]
    registry = timed(lambda: write_registry_book(ours.result, out / "персучёт.xlsx"))
    sample = paths[:: max(n // args.pandas_sample, 1)][: args.pandas_sample]
    pandas_run = timed(lambda: [pandas_parse(str(p)) for p in sample])
    pandas_all = pandas_run.wall / len(sample) * n
    vsample = paths[: args.validate_sample]
    checked = best(1, {"bare, validation sample": lambda: pool_map(bare_parse, vsample, jobs),
                       "validate": lambda: summarise(vsample, args.period, jobs=jobs, validate=True)})
    result: Summary = ours.result
    import openpyxl
    import pandas

    print(f"{n} books in {args.books} ({bare.result:,} cells; made or found in {made:.0f} s), {jobs} worker "
          f"processes on {os.cpu_count()} cores; pandas {pandas.__version__}, openpyxl {openpyxl.__version__}; "
          f"period {args.period}; fastest of {args.repeat} interleaved runs. CPU: the whole process tree.")
    print()
    print("| Benchmark | Wall | CPU | Peak memory | Ratio |")
    print("|---|---|---|---|---|")
    print(f"| Bare python-calamine parse of {n} books, pool of {jobs} (open, every sheet to Python lists) "
          f"| {bare.wall:.1f} s | {bare.cpu:.1f} s | {_gib(bare.memory)} | 1.00× |")
    print(f"| **Summary of {n} books** (`summarise`, pool of {jobs}: each worker reduces its book; client "
          f"reduces; summary book written) | {ours.wall:.1f} s | {ours.cpu:.1f} s | {_gib(ours.memory)} "
          f"| **{_ratio(ours, bare)}** the bare parse (target ≤ 1.5×) |")
    print(f"| Summary without the registry's participants (`registry=False`) | {noreg.wall:.1f} s | {noreg.cpu:.1f} s "
          f"| {_gib(noreg.memory)} | {_ratio(noreg, bare)} |")
    print(f"| Consolidated registry file, {len(result.registry.participants):,} rows, written after the summary "
          f"| {registry.wall:.1f} s | {registry.cpu:.1f} s | {_gib(registry.memory)} | summary + registry file: "
          f"{(ours.wall + registry.wall) / bare.wall:.2f}× wall |")
    print(f"| `pandas.read_excel(engine=\"openpyxl\")`, every sheet, 1 process: {len(sample)} books in "
          f"{pandas_run.wall:.1f} s, extrapolated to {n} | {pandas_all:.0f} s | — | {_gib(pandas_run.memory)} "
          f"| **summary {pandas_all / ours.wall:.1f}× faster** (target ≥ 13×); {pandas_all / jobs / ours.wall:.1f}× "
          f"against pandas split perfectly over {jobs} cores |")
    val, vbare = checked["validate"], checked["bare, validation sample"]
    print(f"| Summary with every validation rule (`validate=True`), {len(vsample)} books, pool of {jobs} "
          f"| {val.wall:.1f} s ({val.wall / len(vsample) * n:.0f} s for {n}) | {val.cpu:.1f} s "
          f"| {_gib(val.memory)} | {_ratio(val, vbare)} the bare parse of the same books |")
    print()
    print("Every run (wall / CPU, s): " + "; ".join(
        f"{k}: " + ", ".join(f"{r.wall:.1f}/{r.cpu:.1f}" for r in v) for k, v in ALL_RUNS.items()))
    print()
    for line in breakdown_table(paths[: args.detail_sample], resolve_period(args.period)):
        print(line)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
