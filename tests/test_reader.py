"""The reader: tolerant of what people type, strict where it must be."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from books import MENTEE_ROWS, minimal_sheets, write_book
from msoffcrypto.format.ooxml import OOXMLFile

from nastavnik_xl.actions.template import new_book
from nastavnik_xl.book.reader import read_book
from nastavnik_xl.findings import BookError


def codes(book) -> list[str]:
    return [f.code for f in book.all_findings()]


# --- our own template ----------------------------------------------------------------------------


def test_template_reads_back_clean(tmp_path: Path) -> None:
    path = new_book(tmp_path / "t.xlsx", org_name="МБОУ СОШ № 3", year=2026, today=dt.date(2026, 11, 23))
    book = read_book(path)
    assert book.organisation is not None
    assert book.organisation.card["org_name"] == "МБОУ СОШ № 3"
    assert book.organisation.reporting_year == 2026
    assert [r["year"] for r in book.organisation.contingent.rows] == list(range(2020, 2031))
    assert len(book.tables["roadmap"].rows) >= 29
    assert book.tables["roadmap"].rows[0]["due_date"] is not None
    assert len(book.tables["targets"].rows) == 33
    assert book.tables["mentors"].rows == []
    assert book.missing_sheets == [] and book.extra_sheets == []
    # only the missing required card fields of an empty book are reported
    assert set(codes(book)) == {"missing-org-field"}


def test_no_contingent_in_a_coverage_cell_reads_as_no_value(tmp_path: Path) -> None:
    """«нет контингента» is what the book's coverage formula says (issue #18): no value, not a bad percentage."""
    from nastavnik_xl.book.fast import WHOLE, read_fast

    sheets = minimal_sheets()
    sheets["Целевые показатели"] = [
        ["Год", "Категория", "Цель, %", "Контингент, чел.", "Охвачено, чел.", "Факт, %", "Отклонение, п.п."],
        [2024, "обучающиеся", 0.7, 0, 3, "нет контингента", None],
        [2024, "педагоги", 0.3, 40, 2, 0.05, -25.0],
        [2025, "педагоги", None, 0, None, "Нет  контингента", None],
        [2026, "педагоги", None, 0, None, "нет данных", None],  # not the formula's text: still a bad number
    ]
    path = write_book(tmp_path / "b.xlsx", sheets)
    for book in (read_book(path), read_fast(path, {"targets": WHOLE})):
        assert [r["actual_pct"] for r in book.tables["targets"].rows] == [None, 0.05, None, "нет данных"]
        assert [(f.code, f.row) for f in book.tables["targets"].findings] == [("bad-number", 5)]


# --- tolerance -----------------------------------------------------------------------------------


def test_minimal_hand_made_book(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path / "b.xlsx", minimal_sheets()))
    assert [r["mentee_id"] for r in book.tables["mentees"].rows] == ["НЯ-1", "НЯ-2", "НЯ-3"]
    assert book.tables["pairs"].rows[0]["start_date"] == dt.date(2023, 12, 1)
    assert book.missing_sheets == ["Дорожная карта", "Встречи", "Анкеты", "Показатели", "Целевые показатели"]
    assert codes(book) == []


def test_headers_in_other_order_case_spaces_yo_and_synonyms(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставляемые"] = [
        ["  тип   УЧАСТНИКА ", "Примечание завуча", "фио наставляемого", "Код наставляемого*", "дата рождения:"],
        ["обучающийся", "лишний столбец", "Кузнецов Илья", "НЯ-1", dt.datetime(2010, 5, 3)],
    ]
    sheets["Наставники"][0] = ["ID наставника", "ФИО", "Категория наставника", "Статус", "Согласие на ПДн"]
    sheets["Наставники"][1].append(dt.datetime(2024, 9, 2))
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    mentees = book.tables["mentees"]
    assert mentees.rows[0]["participant_type"] == "обучающийся"
    assert mentees.rows[0]["mentee_id"] == "НЯ-1"
    assert mentees.rows[0]["full_name"] == "Кузнецов Илья"
    assert mentees.ignored == ["Примечание завуча"]
    how = {h.field: h.how for h in mentees.headers}
    assert how["participant_type"] == "после нормализации"
    assert how["full_name"] == "синоним"
    assert book.tables["mentors"].rows[0]["pd_consent_date"] == dt.date(2024, 9, 2)


def test_lookup_values_tolerate_case_dashes_and_yo(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][1][1] = "Ученик-ученик"
    sheets["Пары"][2][1] = "учитель —  учитель "
    sheets["Наставники"][1][3] = "Активен"
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert [p["form"] for p in book.tables["pairs"].rows] == ["ученик – ученик", "учитель – учитель"]
    assert book.tables["mentors"].rows[0]["status"] == "активен"
    assert codes(book) == []


def test_synonyms_are_understood_with_a_warning(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставляемые"][1][2] = "Ученик"
    sheets["Наставники"][1][2] = "учитель"
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tables["mentees"].rows[0]["participant_type"] == "обучающийся"
    assert book.tables["mentors"].rows[0]["mentor_category"] == "педагог"
    found = {(f.code, f.sheet, f.row, f.severity.value) for f in book.all_findings()}
    assert found == {("lookup-synonym", "Наставляемые", 2, "предупреждение"),
                     ("lookup-synonym", "Наставники", 2, "предупреждение")}
    assert "«Ученик» понято как «обучающийся»" in book.all_findings()[-1].message + book.all_findings()[0].message


def test_unknown_lookup_value_is_kept_and_reported(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][1][1] = "наставник – ученик"
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tables["pairs"].rows[0]["form"] == "наставник – ученик"
    (finding,) = book.all_findings()
    assert (finding.code, finding.sheet, finding.row, finding.column) == ("unknown-value", "Пары", 2,
                                                                          "Форма наставничества")


@pytest.mark.parametrize("raw, expected", [
    (45536, dt.date(2024, 9, 1)),  # an Excel serial without a date format
    (dt.datetime(2024, 9, 1, 0, 0), dt.date(2024, 9, 1)),
    ("01.09.2024", dt.date(2024, 9, 1)),
    ("1.9.24", dt.date(2024, 9, 1)),
    ("2024-09-01", dt.date(2024, 9, 1)),
    ("1 сентября 2024 г.", dt.date(2024, 9, 1)),
    (" 01/09/2024 ", dt.date(2024, 9, 1)),
    ("01,09,2024", dt.date(2024, 9, 1)),
    ("01.09.2024г.", dt.date(2024, 9, 1)),
    ("01. 09. 2024", dt.date(2024, 9, 1)),
    ("2024.09.01", dt.date(2024, 9, 1)),
])
def test_dates_as_serials_datetimes_or_text(tmp_path: Path, raw: object, expected: dt.date) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][1][4] = raw
    book = read_book(write_book(tmp_path / "b.xlsx", sheets, date_format="General"))
    assert book.tables["pairs"].rows[0]["start_date"] == expected
    found = codes(book)
    assert found == (["date-as-text"] if isinstance(raw, str) else [])


def test_bad_date_is_reported_with_row_and_column(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][2][4] = "31.02.2024"
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    (f,) = book.all_findings()
    assert (f.code, f.sheet, f.row, f.column, f.value) == ("bad-date", "Пары", 3, "Дата начала", "31.02.2024")
    assert "ДД.ММ.ГГГГ" in f.message
    assert book.tables["pairs"].rows[1]["start_date"] == "31.02.2024"


def test_blank_rows_title_row_and_numbering_row(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    header, *data = [list(r) for r in MENTEE_ROWS]
    sheets["Наставляемые"] = [["База наставляемых на 2024/25 учебный год"], header, [1, 2, 3, 4],
                              data[0], [], [None, "  "], data[1], [], data[2]]
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    mentees = book.tables["mentees"]
    assert mentees.header_row == 2
    assert [(r["_row"], r["mentee_id"]) for r in mentees.rows] == [(4, "НЯ-1"), (7, "НЯ-2"), (9, "НЯ-3")]
    assert mentees.skipped_rows == 4


def test_ids_typed_as_numbers_stay_text(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставляемые"][1][0] = 17
    sheets["Пары"][1][3] = 17.0
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tables["mentees"].rows[0]["mentee_id"] == "17"
    assert book.tables["pairs"].rows[0]["mentee_id"] == "17"


def test_sheet_names_with_case_spaces_and_numbering(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["1. наставники "] = sheets.pop("Наставники")
    sheets["База наставляемых"] = sheets.pop("Наставляемые")
    sheets["Мои заметки"] = [["что угодно"]]
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tables["mentors"].sheet_name == "1. наставники "
    assert book.tables["mentees"].sheet_name == "База наставляемых"
    assert book.extra_sheets == ["Мои заметки"]


def test_sheet_names_with_a_period_after_them(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставники 2024-2025"] = sheets.pop("Наставники")
    sheets["Пары (1 полугодие)"] = sheets.pop("Пары")
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert book.tables["mentors"].sheet_name == "Наставники 2024-2025"
    assert book.tables["pairs"].sheet_name == "Пары (1 полугодие)"


def test_two_candidate_sheets_are_not_guessed(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары 2023"] = sheets.pop("Пары")
    sheets["Пары 2024"] = [list(r) for r in sheets["Пары 2023"]]
    e = _error(write_book(tmp_path / "b.xlsx", sheets))
    assert e.code == "ambiguous-sheet" and "«Пары 2023»" in e.message and "«Пары 2024»" in e.message


def test_percent_yes_no_and_multi_values(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][0] += ["Выполнение плана", "План утверждён"]
    sheets["Пары"][1] += ["85 %", "Да"]
    sheets["Пары"][2] += [0.4, "нет"]
    sheets["Наставники"][0].append("Формы наставничества")
    sheets["Наставники"][1].append("ученик-ученик; Учитель – учитель")
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    pairs = book.tables["pairs"].rows
    assert [p["plan_pct"] for p in pairs] == [pytest.approx(0.85), pytest.approx(0.4)]
    assert [p["plan_approved"] for p in pairs] == [True, False]
    assert book.tables["mentors"].rows[0]["forms"] == ("ученик – ученик", "учитель – учитель")


def test_only_requested_sheets_are_read(tmp_path: Path) -> None:
    book = read_book(write_book(tmp_path / "b.xlsx", minimal_sheets()), sheets=["mentees"])
    assert list(book.tables) == ["mentees"] and book.organisation is None


# --- strict errors -------------------------------------------------------------------------------


def _error(path: Path, **kw: object) -> BookError:
    with pytest.raises(BookError) as info:
        read_book(path, **kw)
    return info.value


def test_missing_file(tmp_path: Path) -> None:
    e = _error(tmp_path / "нет такой.xlsx")
    assert e.code == "file-not-found" and "не найден" in e.message


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "письмо.xlsx"
    path.write_text("Добрый день! Направляем отчёт.", encoding="utf-8")
    e = _error(path)
    assert e.code == "not-a-workbook" and "не является книгой Excel" in e.message


@pytest.mark.parametrize("content, hint", [
    (b"<html><body><table><tr><td>\xd0\xa4\xd0\x98\xd0\x9e</td></tr></table></body></html>", "веб-страница"),
    ("ФИО;Класс\nИванов;7А\n".encode("cp1251"), "CSV"),
    (b"%PDF-1.7\n", "PDF"),
])
def test_not_a_workbook_says_what_it_is(tmp_path: Path, content: bytes, hint: str) -> None:
    path = tmp_path / "выгрузка из журнала.xls"
    path.write_bytes(content)
    e = _error(path)
    assert e.code == "not-a-workbook" and hint in e.message


def test_word_document_renamed(tmp_path: Path) -> None:
    path = tmp_path / "отчёт.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    e = _error(path)
    assert e.code == "not-a-workbook" and "текстовый документ" in e.message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "пусто.xlsx"
    path.write_bytes(b"")
    assert _error(path).code == "not-a-workbook"


def test_damaged_zip(tmp_path: Path) -> None:
    good = write_book(tmp_path / "b.xlsx", minimal_sheets())
    bad = tmp_path / "обрезан.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    e = _error(bad)
    assert e.code == "damaged" and "повреждён" in e.message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "архив.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "не книга")
    assert _error(path).code == "damaged"


def test_encrypted_book(tmp_path: Path) -> None:
    plain = write_book(tmp_path / "b.xlsx", minimal_sheets())
    locked = tmp_path / "с паролем.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        office = OOXMLFile(src)
        office.encrypt("секрет", dst)
    e = _error(locked)
    assert e.code == "encrypted" and "паролем" in e.message


def test_excel_lock_file(tmp_path: Path) -> None:
    path = tmp_path / "~$книга.xlsx"
    path.write_bytes(b"\x00" * 165)
    assert _error(path).code == "lock-file"


def test_missing_required_sheet_names_it(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    del sheets["Пары"]
    e = _error(write_book(tmp_path / "b.xlsx", sheets))
    assert e.code == "missing-sheet" and "«Пары»" in e.message and e.sheet == "Пары"


def test_unrecognised_headers_name_sheet_and_header(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Пары"][0][4] = "Начало работы пары"  # neither the header nor a synonym
    e = _error(write_book(tmp_path / "b.xlsx", sheets))
    assert e.code == "missing-column"
    assert "«Пары»" in e.message and "«Дата начала»" in e.message and "«Начало работы пары»" in e.message


def test_close_header_gets_a_hint(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Наставляемые"][0][2] = "Тип участнка"  # a typo
    e = _error(write_book(tmp_path / "b.xlsx", sheets))
    assert "«Тип участнка» — это «Тип участника»?" in e.message


def test_organisation_without_contingent_is_an_error(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Организация"] = sheets["Организация"][:6]
    e = _error(write_book(tmp_path / "b.xlsx", sheets))
    assert e.code == "missing-column" and "«Организация»" in e.message and "«Год»" in e.message


def test_stray_cell_at_the_last_row_and_data_after_a_gap(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    mentees = sheets["Наставляемые"]
    mentees += [[None]] * 3000 + [["НЯ-9", "Далёкая Строка", "обучающийся"]]
    path = write_book(tmp_path / "b.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Наставляемые"].cell(row=1_048_576, column=26, value=" ")  # what Ctrl+End finds in real books
    wb.save(path)
    rows = read_book(path).tables["mentees"].rows
    assert [(r["_row"], r["mentee_id"]) for r in rows][-1] == (3005, "НЯ-9")
    assert len(rows) == 4


def test_organisation_without_card_is_a_finding_not_a_stop(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Организация"] = sheets["Организация"][7:]
    book = read_book(write_book(tmp_path / "b.xlsx", sheets))
    assert len(book.organisation.contingent.rows) == 2
    assert codes(book)[0] == "missing-org-card" and "missing-org-field" in codes(book)
