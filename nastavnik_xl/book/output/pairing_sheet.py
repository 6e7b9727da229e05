"""«Подбор пар»: the proposals with their match percentage colour-coded, the reasons in words, a
«Решение» column the curator fills (принять / отклонить), the mentees left without a pair and why,
and the pairs the curator rejected before (they are not proposed again)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from nastavnik_xl.book.output.style import OutColumn, OutputFormats, header_row, landscape, write_text

if TYPE_CHECKING:
    from nastavnik_xl.actions.pairing.proposals import PairingResult

SHEET_NAME = "Подбор пар"
ACCEPT, REJECT = "принять", "отклонить"
DECISIONS = (ACCEPT, REJECT)
HEADER_AT = 3
COLUMNS = (
    OutColumn("№", 5), OutColumn("ID наставляемого", 16), OutColumn("Наставляемый", 26), OutColumn("ID наставника", 12),
    OutColumn("Наставник", 26), OutColumn("Форма", 18), OutColumn("Совпадение, %", 13), OutColumn("Баллы", 7),
    OutColumn("Почему этот наставник", 60), OutColumn("Почему не другой", 40), OutColumn("Решение", 12),
)
DECISION_COL = len(COLUMNS) - 1


def pairing_sheet(result: PairingResult, decisions: Mapping[tuple[str, str], str] | None = None):  # type: ignore[no-untyped-def]
    """An OutputBuilder for the writer; ``decisions`` (mentee ID, mentor ID) → decision keeps the curator's marks."""
    decisions = dict(decisions or {})

    def build(wb: Workbook, ws: Worksheet) -> None:
        fm = OutputFormats(wb)
        choose = wb.add_format({"font_name": "Arial", "font_size": 10, "valign": "top", "bg_color": "#FFF2CC",
                                "border": 1, "border_color": "#BFBFBF", "locked": False})
        ws.write_string(0, 0, "Подбор пар", fm.title)
        wrap = wb.add_format({"font_name": "Arial", "font_size": 10, "italic": True, "font_color": "#595959",
                              "text_wrap": True, "valign": "top"})
        ws.merge_range(1, 0, 1, len(COLUMNS) - 1, _note(result), wrap)
        ws.set_row(1, 42)
        header_row(ws, fm, HEADER_AT, COLUMNS)
        bands = [(limit, wb.add_format({"font_name": "Arial", "font_size": 10, "valign": "top", "num_format": "0%",
                                        "bg_color": colour, "border": 1, "border_color": "#BFBFBF"}))
                 for limit, colour in BANDS]
        row = HEADER_AT + 1
        for n, p in enumerate(result.proposals, start=1):
            values = (p.mentee_id, p.mentee_name, p.mentor_id, p.mentor_name, p.form)
            ws.write_number(row, 0, n, fm.center)
            for c, v in enumerate(values, start=1):
                write_text(ws, row, c, v, fm.text)
            ws.write_number(row, 6, p.percent / 100, _band(p.percent, bands))
            ws.write_number(row, 7, p.score, fm.number)
            write_text(ws, row, 8, "; ".join(f"{r.text} (+{r.points})" for r in p.reasons) or "—", fm.text)
            write_text(ws, row, 9, p.not_chosen, fm.text)
            write_text(ws, row, DECISION_COL, decisions.pop((p.mentee_id.casefold(), p.mentor_id.casefold()), None)
                       or "", choose)
            row += 1
        last = max(row - 1, HEADER_AT + 1)
        if result.proposals:
            ws.data_validation(HEADER_AT + 1, DECISION_COL, last, DECISION_COL, {
                "validate": "list", "source": list(DECISIONS), "input_title": "Решение куратора",
                "input_message": "«принять» — пара войдёт в лист «Пары» командой «Утвердить пары»; "
                                 "«отклонить» — больше не предлагать"})
        else:
            ws.merge_range(row, 0, row, len(COLUMNS) - 1, "Предложений нет: всем наставляемым подобраны пары "
                           "или подходящих наставников нет (см. ниже).", fm.ok)
            row += 1
        ws.freeze_panes(HEADER_AT + 1, 0)
        ws.autofilter(HEADER_AT, 0, last, len(COLUMNS) - 1)
        row = _unmatched(ws, fm, result, row + 1)
        _rejected(ws, fm, decisions, row + 1, choose)
        landscape(ws, HEADER_AT)

    return build


# The match colour: red below 30 %, amber below 60 %, green from 60 % (fixed fills, so every route shows them).
BANDS = ((30, "#F8CBAD"), (60, "#FFE699"), (101, "#C6EFCE"))


def _band(percent: int, bands: list[tuple[int, object]]) -> object:
    return next(fmt for limit, fmt in bands if percent < limit)


def _note(result: PairingResult) -> str:
    cert = result.certificate
    proof = ("оптимальность доказана: сумма баллов равна двойственной оценке" if cert.get("valid")
             else "доказательство оптимальности не получено" if cert else "")
    parts = [f"Цель подбора: {_objective(result.objective)}.", f"На {result.on:%d.%m.%Y}.",
             f"Предложено пар: {len(result.proposals)}, без пары: {len(result.unmatched)}."]
    if proof:
        parts.append(proof.capitalize() + ".")
    parts.append("В столбце «Решение» выберите «принять» или «отклонить», затем «Утвердить пары».")
    return " ".join(parts + result.notes)


def _objective(key: str) -> str:
    from nastavnik_xl.actions.pairing.proposals import OBJECTIVE_TITLES

    return OBJECTIVE_TITLES.get(key, key)


def _unmatched(ws: Worksheet, fm: OutputFormats, result: PairingResult, row: int) -> int:
    if not result.unmatched:
        return row
    ws.write_string(row, 0, "Без пары: почему (они остаются в поле зрения куратора)", fm.bold)
    row += 1
    for c, name in enumerate(("", "ID наставляемого", "Наставляемый", "Тип участника")):
        if name:
            ws.write_string(row, c, name, fm.header)
    ws.merge_range(row, 4, row, 9, "Причина", fm.header)
    row += 1
    for u in result.unmatched:
        write_text(ws, row, 1, u.mentee_id, fm.text)
        write_text(ws, row, 2, u.mentee_name, fm.text)
        write_text(ws, row, 3, u.participant_type, fm.text)
        ws.merge_range(row, 4, row, 9, "", fm.text)
        write_text(ws, row, 4, u.reason, fm.text)
        row += 1
    return row


def _rejected(ws: Worksheet, fm: OutputFormats, rest: Mapping[tuple[str, str], str], row: int, choose: object) -> None:
    rejected = sorted(k for k, v in rest.items() if v == REJECT)
    if not rejected:
        return
    ws.write_string(row, 0, "Пары, которые вы отклонили раньше: не предлагаются снова (удалите строку, чтобы вернуть)",
                    fm.bold)
    row += 1
    ws.write_string(row, 1, "ID наставляемого", fm.header)
    ws.write_string(row, 3, "ID наставника", fm.header)
    ws.write_string(row, DECISION_COL, "Решение", fm.header)
    for mentee, mentor in rejected:
        row += 1
        write_text(ws, row, 1, mentee, fm.text)
        write_text(ws, row, 3, mentor, fm.text)
        write_text(ws, row, DECISION_COL, REJECT, choose)
