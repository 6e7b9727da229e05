"""The ``nastavnik`` command: a thin layer that reads, calls an action and renders its data.

Exit codes, the same for every command:
  0 — done, the data is clean;
  1 — done, the data has findings;
  2 — the input cannot be used or the command was misused (Russian message on stderr);
  3 — an internal error of the program (please report it).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table as RichTable
from rich.text import Text

from nastavnik_xl import __version__, cli_ru
from nastavnik_xl.cli_ru import FloatRange, IntRange
from nastavnik_xl.findings import BookError, Finding

cli_ru.install()

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])

# Into a pipe or a file, tables keep their full width instead of breaking words at 80 columns.
# Markup off: names and headers from books may hold «[…]»; styled parts are marked explicitly.
out = Console(highlight=False, soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 1000)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Вывод: таблица для человека или JSON для программ.",
)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RussianCommand(click.Command):
    """A command whose usage line reads «[ПАРАМЕТРЫ]»."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        super().__init__(*args, **kwargs)


class RussianGroup(click.Group):
    command_class = RussianCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[ПАРАМЕТРЫ]")
        kwargs.setdefault("subcommand_metavar", "КОМАНДА [АРГУМЕНТЫ]...")
        super().__init__(*args, **kwargs)


def guarded(func: F) -> F:
    """Turn BookError into exit 2 and unexpected errors into exit 3, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BookError as exc:
            err.print(f"[bold red]Ошибка:[/] {escape(exc.message)}", markup=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            err.print("Прервано.")
            sys.exit(EXIT_BAD_INPUT)
        except BrokenPipeError:  # the reader of our output (head, less) has gone: nothing is wrong
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            err.print(f"[bold red]Внутренняя ошибка программы:[/] {type(exc).__name__}: {escape(str(exc))}. "
                      "Сообщите о ней разработчикам; ваши файлы не изменены.", markup=True)
            if "--debug" in sys.argv:
                raise
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def findings_table(findings: list[Finding], limit: int = 50) -> RichTable:
    table = RichTable(title="Замечания", show_lines=False)
    for name in ("Код", "Важность", "Где", "Значение", "Что сделать"):
        table.add_column(name, overflow="fold")
    for f in findings[:limit]:
        table.add_row(f.code, f.severity.value, f.where(), "" if f.value is None else str(f.value), f.message)
    if len(findings) > limit:
        table.caption = f"Показаны первые {limit} из {len(findings)}; все — с --format json."
    return table


@click.group(cls=RussianGroup, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="nastavnik", help="Показать версию программы и выйти.")
@click.option("--debug", is_flag=True, hidden=True, help="Показывать трассировку внутренних ошибок.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Книга куратора наставничества: шаблон, демо-данные, проверка книг, охват.

    Коды завершения: 0 — готово, замечаний нет; 1 — готово, есть замечания; 2 — файл нельзя
    использовать или команда вызвана неверно; 3 — внутренняя ошибка программы.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command(short_help="Создать пустую книгу куратора.")
@click.argument("path", metavar="КНИГА", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", "org_name", default="", metavar="НАИМЕНОВАНИЕ", help="Полное наименование организации.")
@click.option("--year", type=IntRange(2015, 2040), default=None, help="Отчётный год (по умолчанию — текущий).")
@click.option("--force", is_flag=True, help="Перезаписать существующий файл.")
@click.option("--server", "server_url", default=None, metavar="АДРЕС",
              help="Книга для школы без Python: кнопки работают через сервер МНЦ по этому адресу (только .xlsm).")
@click.option("--token", default=None, metavar="ТОКЕН", help="Токен школы для сервера МНЦ (выдаёт «nastavnik serve "
              "--new-token»); нужен вместе с --server.")
@guarded
def new(path: Path, org_name: str, year: int | None, force: bool, server_url: str | None, token: str | None) -> None:
    """Создать пустую книгу куратора КНИГА: .xlsx — без макросов, .xlsm — с кнопками действий
    (с --server и --token кнопки работают через сервер МНЦ, Python в школе не нужен)."""
    from nastavnik_xl.actions.template import new_book
    from nastavnik_xl.book.server_link import ServerLink

    if (server_url is None) != (token is None):
        raise BookError("Для книги, работающей через сервер МНЦ, укажите и --server (адрес сервера), и --token "
                        "(токен школы из «nastavnik serve --new-token»).", code="usage")
    server = ServerLink(server_url, token) if server_url is not None and token is not None else None

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise BookError(f"Имя книги должно оканчиваться на .xlsx (книга без макросов) или .xlsm (с кнопками): {path}",
                        code="usage")
    if not path.parent.is_dir():
        raise BookError(f"Папки «{path.parent}» нет. Создайте её или укажите другую папку для книги.",
                        code="no-folder")
    if path.exists() and not force:
        raise BookError(f"Файл «{path}» уже существует. Выберите другое имя или добавьте --force, "
                        "чтобы перезаписать его.", code="exists")
    new_book(path, org_name=org_name, year=year, server=server)
    out.print(f"Книга создана: {path}" + (f"; кнопки работают через сервер {server.base_url}" if server else ""))


@main.command(short_help="Показать, что программа видит в книге.")
@click.argument("book", metavar="КНИГА", type=click.Path(path_type=Path))
@format_option
@guarded
def info(book: Path, fmt: str) -> None:
    """Показать, что программа видит в книге КНИГА: организацию, листы, строки, заголовки."""
    from nastavnik_xl.actions.info import book_info

    result = book_info(book)
    if fmt == "json":
        print_json(result.model_dump(mode="json"))
    else:
        _print_info(result)
    sys.exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _print_info(result: Any) -> None:
    org = result.organisation
    out.print(f"[bold]{escape(org.get('org_name') or '(наименование не заполнено)')}[/]", markup=True)
    out.print(f"Файл: {result.file} ({result.file_kind}); муниципалитет: {org.get('municipality') or '—'}; "
              f"отчётный год: {org.get('reporting_year') or '—'}")
    table = RichTable(title="Листы")
    for name in ("Лист", "Строк", "Заголовки", "Не распознаны"):
        table.add_column(name, overflow="fold")
    for s in result.sheets:
        renamed = [f"«{h.written}» → «{h.header}» ({h.how})" for h in s.headers if h.how != "точно"]
        label = s.name if s.name == s.name_in_book else f"{s.name_in_book} → {s.name}"
        headers = f"строка {s.header_row}, распознано {len(s.headers)}"
        if renamed:
            headers += "; " + "; ".join(renamed)
        table.add_row(label, str(s.rows), headers, ", ".join(s.ignored) or "—")
    out.print(table)
    if result.missing_sheets:
        out.print("Нет листов: " + ", ".join(f"«{n}»" for n in result.missing_sheets))
    if result.extra_sheets:
        out.print("Листы, которые программа не использует: " + ", ".join(f"«{n}»" for n in result.extra_sheets))
    if result.findings:
        out.print(findings_table(result.findings))
        out.print("Итого замечаний: " + ", ".join(f"{k}: {v}" for k, v in result.counts.items()))
    else:
        out.print("Замечаний при чтении нет.")


@main.command(short_help="Создать демо-муниципалитет с книгами школ.")
@click.argument("directory", metavar="ПАПКА", type=click.Path(file_okay=False, path_type=Path))
@click.option("--schools", type=IntRange(1, 2000), default=12, show_default=True, help="Сколько школ.")
@click.option("--seed", type=int, default=1, show_default=True, metavar="ЧИСЛО",
              help="Зерно: тот же номер — те же книги.")
@click.option("--mistake-rate", type=FloatRange(0, 0.5), default=None,
              help="Доля строк с типичными ошибками кураторов (по умолчанию — реалистичная).")
@click.option("--force", is_flag=True, help="Писать в непустую папку (файлы демо с теми же именами заменяются).")
@format_option
@guarded
def demo(directory: Path, schools: int, seed: int, mistake_rate: float | None, force: bool, fmt: str) -> None:
    """Создать в ПАПКЕ демо-муниципалитет: книги школ и список заложенных ошибок, затем обработать их."""
    from nastavnik_xl.actions.demo_run import run_demo

    if directory.exists() and any(directory.iterdir()) and not force:
        own = demo_files(directory)
        if own is None:
            raise BookError(f"Папка «{directory}» не пуста. Укажите новую папку для демо или добавьте --force "
                            "(файлы демо с теми же именами будут заменены).", code="exists")
        for path in own:  # a demo made here before: replaced as a whole
            path.unlink()

    with Progress(transient=True, console=err, disable=fmt == "json") as bar:
        task = bar.add_task("Создаю книги школ…", total=None)

        def step(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Обрабатываю {label}")

        result = run_demo(directory, schools=schools, seed=seed, mistake_rate=mistake_rate,
                          today=dt.date.today(), progress=step)
    if fmt == "json":
        print_json(result.model_dump(mode="json"))
        return
    _print_demo(result)


DEMO_TEMPLATE = "шаблон-книги-куратора.xlsx"


def demo_files(directory: Path) -> list[Path] | None:
    """The files of a demo made in ``directory`` before, if it holds nothing else; otherwise None."""
    manifest = directory / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        own = {manifest.name, DEMO_TEMPLATE, *(s["book"] for s in data["schools"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    present = list(directory.iterdir())
    if any(p.name not in own or not p.is_file() for p in present):
        return None
    return present


def _print_demo(result: Any) -> None:
    table = RichTable(title=f"Демо-муниципалитет: {result.municipality} (зерно {result.seed})")
    for name in ("Книга", "Наставников (с ID)", "Наставляемых (с ID)", "Пар", "Охват обучающихся",
                 "Замечаний при чтении"):
        table.add_column(name, overflow="fold")
    for b in result.books:
        pct = "—" if b.students_pct is None else f"{b.students_pct:.0%}"
        target = "" if b.students_target is None else f" (цель {b.students_target:.0%})"
        table.add_row(b.file_name, str(b.mentors), str(b.mentees), str(b.pairs), pct + target, str(b.findings))
    out.print(table)
    out.print(f"Книги: {result.directory}")
    out.print(f"Заложенные ошибки ({result.planted} шт.): {result.manifest}")
    out.print(f"Шаблон пустой книги: {result.template}")


def parse_day(value: str | None) -> dt.date:
    """``--date``: ДД.ММ.ГГГГ or ГГГГ-ММ-ДД; today when not given."""
    from nastavnik_xl.dates import parse_date_text

    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        day = parse_date_text(value)
    if day is None:
        raise BookError(f"Не понял дату «{value}»: укажите её как ДД.ММ.ГГГГ, например 30.11.2026.", code="usage")
    return day


SHOWN_FINDINGS = 300  # on the screen; JSON and the «Проверка» sheet hold them all


def print_findings(findings: list[Finding]) -> None:
    """Findings grouped by sheet: a table on a terminal, plain lines into a pipe or file."""
    if len(findings) > SHOWN_FINDINGS:
        print_findings(findings[:SHOWN_FINDINGS])
        out.print(f"Показаны первые {SHOWN_FINDINGS} замечаний из {len(findings)}. Все — в листе «Проверка» "
                  "(добавьте --write) или с --format json.")
        return
    if not out.is_terminal:
        for f in findings:
            click.echo(f"{f.severity.value}\t{f.sheet}\t{f.row or ''}\t{f.column}\t{f.code}\t{f.message}")
        return
    by_sheet: dict[str, list[Finding]] = {}
    for f in findings:
        by_sheet.setdefault(f.sheet or "Книга", []).append(f)
    for sheet_name, items in by_sheet.items():
        table = RichTable(title=f"Лист «{sheet_name}»", title_justify="left", show_lines=False)
        for name in ("Строка", "Столбец", "Важность", "Что сделать", "Код"):
            table.add_column(name, overflow="fold")
        for f in items:
            style = "red" if f.severity.value == "ошибка" else "yellow"
            table.add_row("" if f.row is None else str(f.row), f.column, Text(f.severity.value, style=style),
                          f.message, f.code)
        out.print(table)


@main.command(short_help="Проверить книги по правилам целевой модели.")
@click.argument("paths", metavar="КНИГА_ИЛИ_ПАПКА...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--date", "day", default=None, metavar="ДАТА",
              help="День, на который проверять (ДД.ММ.ГГГГ; по умолчанию — сегодня).")
@click.option("--write", is_flag=True, help="Записать лист «Проверка» в книгу (остальное в книге не меняется).")
@format_option
@guarded
def validate(paths: tuple[Path, ...], day: str | None, write: bool, fmt: str) -> None:
    """Проверить книги (или все книги в папках) по правилам целевой модели."""
    from nastavnik_xl.actions.validate import validate_book
    from nastavnik_xl.book.files import book_files
    from nastavnik_xl.book.reader import read_book

    on = parse_day(day)
    files = book_files(paths)
    if not files:
        named = ", ".join(f"«{p}»" for p in paths)
        raise BookError(f"В папке {named} нет книг (.xlsx, .xlsm, .xls, .ods): укажите книгу или папку с книгами.",
                        code="no-books")
    single = len(files) == 1 and not any(p.is_dir() for p in paths)
    reports: list[Any] = []
    unreadable: list[dict[str, str]] = []
    written: list[str] = []
    with Progress(transient=True, console=err, disable=single or fmt == "json" or not err.is_terminal) as bar:
        task = bar.add_task("Проверяю книги…", total=len(files))
        for path in files:
            try:
                book = read_book(path)
                report = validate_book(book, on)
                if write:
                    written.append(_write_check_sheet(report, book))
            except BookError as exc:
                if single:
                    raise
                unreadable.append({"book": str(path), "code": exc.code, "message": exc.message})
            else:
                reports.append(report)
            bar.advance(task)
    if fmt == "json":
        _validate_json(reports, unreadable, single)
    elif single:
        _print_report(reports[0])
    else:
        _print_folder(reports, unreadable)
    for message in written:
        err.print(message)
    if unreadable:
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(EXIT_FINDINGS if any(r.findings for r in reports) else EXIT_OK)


def _write_check_sheet(report: Any, book: Any) -> str:
    from nastavnik_xl.book.output.check_sheet import SHEET_NAME, check_sheet

    return _write_sheet(book.path, SHEET_NAME, check_sheet(report, book))


def _validate_json(reports: list[Any], unreadable: list[dict[str, str]], single: bool) -> None:
    if single:
        print_json(reports[0].model_dump(mode="json"))
        return
    print_json({
        "books": [r.model_dump(mode="json") for r in reports],
        "unreadable": unreadable,
        "totals": {"books": len(reports) + len(unreadable), "unreadable": len(unreadable),
                   "valid": sum(r.valid for r in reports), "errors": sum(r.errors for r in reports),
                   "warnings": sum(r.warnings for r in reports)},
    })


def _print_report(report: Any) -> None:
    out.print(f"[bold]{escape(report.organisation or report.book)}[/] — проверка на {report.on:%d.%m.%Y}", markup=True)
    if report.findings:
        print_findings(report.findings)
    verdict = "ошибок нет" if report.valid else f"ошибок: {report.errors}"
    out.print(f"Итого: {verdict}, предупреждений: {report.warnings}.")
    if report.counts:
        out.print("По видам: " + ", ".join(f"{k} — {v}" for k, v in report.counts.items()))


def _print_folder(reports: list[Any], unreadable: list[dict[str, str]]) -> None:
    if out.is_terminal:
        table = RichTable(title="Проверка книг")
        for name in ("Книга", "Организация", "Ошибок", "Предупреждений"):
            table.add_column(name, overflow="fold")
        for r in reports:
            table.add_row(Path(r.book).name, r.organisation, str(r.errors), str(r.warnings))
        for u in unreadable:
            table.add_row(Path(u["book"]).name, Text("не прочитана: ", style="red") + Text(u["message"]), "—", "—")
        out.print(table)
    else:
        for r in reports:
            click.echo(f"{Path(r.book).name}\t{r.organisation}\tошибок: {r.errors}\tпредупреждений: {r.warnings}")
        for u in unreadable:
            click.echo(f"{Path(u['book']).name}\tне прочитана: {u['message']}")
    out.print(f"Книг: {len(reports) + len(unreadable)}, без ошибок: {sum(r.valid for r in reports)}, "
              f"не прочитано: {len(unreadable)}; ошибок всего: {sum(r.errors for r in reports)}, "
              f"предупреждений: {sum(r.warnings for r in reports)}.")


@main.command(short_help="Рассчитать охват против целевых показателей.")
@click.argument("book", metavar="КНИГА", type=click.Path(path_type=Path))
@click.option("--year", type=IntRange(2015, 2040), default=None,
              help="Год, для которого считать разрыв до цели (по умолчанию — отчётный год книги).")
@click.option("--write", is_flag=True, help="Записать лист «Охват» с диаграммами в книгу (остальное не меняется).")
@format_option
@guarded
def coverage(book: Path, year: int | None, write: bool, fmt: str) -> None:
    """Рассчитать охват наставничеством в книге КНИГА: по годам и категориям, против целей."""
    from nastavnik_xl.actions.coverage_report import coverage_report
    from nastavnik_xl.book.reader import read_book

    parsed = read_book(book)
    report = coverage_report(parsed, year)
    if write:
        from nastavnik_xl.book.output.coverage_sheet import SHEET_NAME, coverage_sheet

        message = _write_sheet(parsed.path, SHEET_NAME, coverage_sheet(report))
    if fmt == "json":
        print_json(report.model_dump(mode="json"))
    else:
        _print_coverage(report)
    if write:
        err.print(message)
    row_short = [r for r in report.rows if r.year == report.year and r.needed]
    sys.exit(EXIT_FINDINGS if row_short else EXIT_OK)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}".replace(".", ",")


def _print_coverage(report: Any) -> None:
    out.print(f"[bold]{escape(report.organisation)}[/] — охват наставничеством", markup=True)
    table = RichTable()
    for name in ("Категория", "Год", "Контингент", "Охвачено", "Охват", "Цель", "Отклонение, п.п.", "Нужно ещё"):
        table.add_column(name, overflow="fold")
    for r in report.rows:
        gap = "—" if r.gap_pp is None else f"{r.gap_pp:+.1f}".replace(".", ",")
        table.add_row(r.title, str(r.year), str(r.contingent or "—"), "—" if r.covered is None else str(r.covered),
                      _pct(r.share), _pct(r.target), gap, "—" if r.needed is None else str(r.needed))
    out.print(table)
    roles = ", ".join(f"{m.year}: {m.mentors} ({_pct(m.share)})" for m in report.mentor_role)
    out.print(f"Обучающиеся в роли наставника: {roles or '—'}")
    waiting = ", ".join(f"{u.title} — {u.mentees}" for u in report.unpaired if u.mentees)
    if waiting:
        out.print(f"Без пары в {report.year} году: {waiting}. Подобрать наставников: nastavnik pair КНИГА")


def _write_sheet(path: Path, sheet_name: str, build: Any) -> str:
    """Write one output sheet through the shared writer; the Russian line saying where it went."""
    from nastavnik_xl.book.writer import write_output_sheet

    result = write_output_sheet(path, sheet_name, build)
    if result.side_file:
        return (f"Книга «{path.name}» не в формате .xlsx/.xlsm, поэтому лист «{sheet_name}» записан "
                f"в отдельный файл: {result.path}")
    return f"Лист «{sheet_name}» записан в книгу {result.path}"


@main.command(short_help="Персонифицированный учёт за квартал для муниципалитета.")
@click.argument("book", metavar="КНИГА", type=click.Path(path_type=Path))
@click.option("--quarter", required=True, metavar="КВАРТАЛ", help="Квартал, например 2024Q3 или «3 кв. 2024».")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="ФАЙЛ",
              help="Куда записать файл (по умолчанию — рядом с книгой, «Персучёт_<ОО>_<квартал>.xlsx»).")
@click.option("--write", is_flag=True, help="Также записать лист «Персонифицированный учёт» в книгу.")
@format_option
@guarded
def registry(book: Path, quarter: str, output: Path | None, write: bool, fmt: str) -> None:
    """Составить «Персонифицированный учёт» книги КНИГА за квартал: всех, кто был в паре в этом квартале.

    В файл попадают только люди с датой согласия на обработку персональных данных; остальные
    перечислены на листе «Без согласия», и команда завершается с кодом 1.
    """
    from nastavnik_xl.actions.registry import build_registry, check_quarter_in_book, parse_quarter
    from nastavnik_xl.book.output.registry_sheet import SHEET_NAME, registry_sheet, write_registry_file
    from nastavnik_xl.book.reader import read_book

    period = parse_quarter(quarter)
    parsed = read_book(book)
    check_quarter_in_book(parsed, period)
    result = build_registry(parsed, period)
    target = output or parsed.path.with_name(result.file_name)
    written = write_registry_file(result, target)
    message = _write_sheet(parsed.path, SHEET_NAME, registry_sheet(result)) if write else ""
    if fmt == "json":
        print_json({**json.loads(result.as_json()), "file": str(written)})
    else:
        _print_registry(result, written)
    if message:
        err.print(message)
    sys.exit(EXIT_OK if result.complete and not result.warnings else EXIT_FINDINGS)


def _print_registry(result: Any, written: Path) -> None:
    mentors = sum(1 for r in result.rows if r.role == "наставник")
    out.print(f"[bold]{escape(result.org_name)}[/] — персонифицированный учёт, {result.quarter_title}", markup=True)
    out.print(f"В файле: {len(result.rows)} чел. (наставников — {mentors}, наставляемых — {len(result.rows) - mentors}).")
    out.print(f"Файл: {written}")
    if result.excluded:
        table = RichTable(title="Не включены: нет согласия на обработку персональных данных")
        for name in ("Роль", "ID", "ФИО", "Пары", "Чего не хватает", "Где исправить"):
            table.add_column(name, overflow="fold")
        for e in result.excluded:
            where = f"лист «{e.sheet}»" + (f", строка {e.row}" if e.row else "")
            table.add_row(e.role, e.person_id, e.full_name, "; ".join(e.pair_ids), e.missing, where)
        out.print(table)
    for w in result.warnings:
        out.print(f"[yellow]Предупреждение:[/] {escape(w.message)} ({escape(w.where())})", markup=True)


@main.command(short_help="Подобрать пары наставник — наставляемый (и утвердить выбранные).")
@click.argument("book", metavar="КНИГА", type=click.Path(path_type=Path))
@click.option("--objective", type=click.Choice(["participation", "score"]), default="participation",
              show_default=True, help="participation — сначала охватить как можно больше наставляемых, затем "
                                      "максимум баллов; score — только максимум суммарной оценки.")
@click.option("--date", "day", default=None, metavar="ДАТА", help="День подбора (по умолчанию — сегодня).")
@click.option("--write", is_flag=True, help="Записать лист «Подбор пар» в книгу (решения куратора сохраняются).")
@click.option("--accept", is_flag=True, help="Внести в лист «Пары» пары, отмеченные «принять» в листе «Подбор пар».")
@format_option
@guarded
def pair(book: Path, objective: str, day: str | None, write: bool, accept: bool, fmt: str) -> None:
    """Подобрать пары для наставляемых книги КНИГА, у которых нет действующей пары.

    Подбор точный: решение оптимально, и это доказывается (двойственная оценка равна сумме
    баллов). Для каждой пары — почему она предложена; для каждого без пары — почему.
    """
    from nastavnik_xl.actions.pairing.proposals import propose
    from nastavnik_xl.book.decisions import read_decisions
    from nastavnik_xl.book.output.pairing_sheet import REJECT, SHEET_NAME, pairing_sheet
    from nastavnik_xl.book.reader import read_book

    on = parse_day(day)
    parsed = read_book(book)
    decisions = read_decisions(parsed.path) if parsed.file_kind in ("xlsx", "xlsm") else {}
    messages: list[str] = []
    refused: list[Finding] = []
    if accept:
        added, refused = _accept_pairs(parsed, decisions, on)
        messages.append(f"В лист «Пары» добавлено пар: {added}." if added else "Пар, отмеченных «принять», нет.")
        parsed = read_book(book)
        decisions = {k: v for k, v in decisions.items() if v == REJECT}
    rejected = [k for k, v in decisions.items() if v == REJECT]
    result = propose(parsed, on, objective, rejected)
    if write or accept:
        messages.append(_write_sheet(parsed.path, SHEET_NAME, pairing_sheet(result, decisions)))
    if fmt == "json":
        data = result.model_dump(mode="json")
        if accept:
            data["refused"] = [f.model_dump(mode="json") for f in refused]
        print_json(data)
    else:
        _print_pairing(result)
        if refused:
            print_findings(refused)
    for m in messages:
        err.print(m)
    sys.exit(EXIT_FINDINGS if result.unmatched or refused else EXIT_OK)


def _accept_pairs(book: Any, decisions: dict[tuple[str, str], str], on: dt.date) -> tuple[int, list[Finding]]:
    from nastavnik_xl.actions.pairing.accept import accept
    from nastavnik_xl.book.decisions import read_percents
    from nastavnik_xl.book.table_rows import append_rows

    if book.file_kind not in ("xlsx", "xlsm"):
        raise BookError(f"Пары вносятся только в книгу .xlsx или .xlsm, а «{book.path.name}» — {book.file_kind}. "
                        "Сохраните её как книгу Excel и повторите.", code="not-writable")
    table = book.tables["pairs"]
    percents = read_percents(book.path)
    result = accept(book, decisions, percents, on)
    if result.rows:
        rows = [{table.column_header(k): v for k, v in row.items() if table.has(k) or k in ("pair_id",)}
                for row in result.rows]
        append_rows(book.path, table.sheet_name, rows)
    return len(result.rows), result.findings


def _print_pairing(result: Any) -> None:
    out.print(f"Подбор пар на {result.on:%d.%m.%Y}: предложено {len(result.proposals)}, без пары "
              f"{len(result.unmatched)}.")
    if result.proposals:
        table = RichTable()
        for name in ("Наставляемый", "Наставник", "Форма", "Совпадение", "Почему"):
            table.add_column(name, overflow="fold")
        for p in result.proposals:
            table.add_row(f"{p.mentee_id} {p.mentee_name}", f"{p.mentor_id} {p.mentor_name}", p.form,
                          f"{p.percent} % ({p.score} б.)", "; ".join(f"{r.text} (+{r.points})" for r in p.reasons))
        out.print(table)
    if result.unmatched:
        table = RichTable(title="Без пары")
        for name in ("Наставляемый", "Тип", "Почему"):
            table.add_column(name, overflow="fold")
        for u in result.unmatched:
            table.add_row(f"{u.mentee_id} {u.mentee_name}", u.participant_type, u.reason)
        out.print(table)
    cert = result.certificate
    if cert:
        verdict = "доказана" if cert.get("valid") else f"не доказана ({cert.get('reason')})"
        out.print(f"Оптимальность подбора {verdict}: проверено пар — {cert.get('pairs_checked')}.")
    for note in result.notes:
        out.print(note)


@main.command(short_help="Ежемесячный мониторинг: процесс и результаты.")
@click.argument("book", metavar="КНИГА", type=click.Path(path_type=Path))
@click.option("--date", "day", default=None, metavar="ДАТА",
              help="День мониторинга (месяц — тот, в котором он; по умолчанию — сегодня).")
@click.option("--write", is_flag=True, help="Записать лист «Мониторинг» с диаграммами в книгу.")
@format_option
@guarded
def monitor(book: Path, day: str | None, write: bool, fmt: str) -> None:
    """Мониторинг программы наставничества в книге КНИГА на дату: пары и встречи месяца, этапы
    цикла и просрочки, дорожная карта, удовлетворённость, SWOT, изменение показателей
    вход → выход, лучшие наставники."""
    from nastavnik_xl.actions.monitoring import monitor as run_monitor
    from nastavnik_xl.book.output.monitoring_sheet import SHEET_NAME, monitoring_sheet
    from nastavnik_xl.book.reader import read_book

    parsed = read_book(book)
    report = run_monitor(parsed, parse_day(day))
    message = _write_sheet(parsed.path, SHEET_NAME, monitoring_sheet(report)) if write else ""
    if fmt == "json":
        print_json(report.model_dump(mode="json"))
    else:
        _print_monitoring(report)
    if message:
        err.print(message)
    sys.exit(EXIT_FINDINGS if report.findings or report.overdue else EXIT_OK)


def _print_monitoring(report: Any) -> None:
    out.print(f"[bold]{escape(report.organisation)}[/] — мониторинг на {report.on:%d.%m.%Y}", markup=True)
    out.print(f"Действующих пар и групп: {report.active_pairs}; новых за месяц: {len(report.new_pairs)}, "
              f"завершено: {len(report.finished_pairs)}; встреч за месяц: "
              f"{sum(t.meetings for t in report.meetings_by_type)}.")
    stages = ", ".join(f"{title} — {n}" + (f" (просрочено {late})" if late else "")
                       for title, n, late in report.stage_counts() if n)
    out.print(f"Этапы цикла действующих пар: {stages or '—'}.")
    r = report.roadmap
    share = "—" if r.share_done is None else f"{r.share_done:.0%}"
    out.print(f"Дорожная карта: выполнено {r.done} из {r.total} ({share}), в работе {r.in_progress}, "
              f"просрочено {r.overdue}.")
    for s in report.satisfaction:
        if s.respondents:
            out.print(f"Удовлетворённость ({s.role}): средняя {s.mean:.1f}, довольны {s.satisfied} из "
                      f"{s.respondents}.".replace(".", ",", 1))
    impact = [i for i in report.impact if i.form == report.impact[0].form] if report.impact else []
    if impact:
        table = RichTable(title="Этап 2: вход → выход (все формы)")
        for name in ("Показатель", "Роль", "Людей", "Вход", "Выход", "Изменение", "Улучшили"):
            table.add_column(name, overflow="fold")
        for i in impact:
            def num(v: float | None) -> str:
                return "—" if v is None else f"{v:.2f}".replace(".", ",")
            better = "—" if i.share_improved is None else f"{i.share_improved:.0%}"
            table.add_row(i.indicator + (" (ниже — лучше)" if i.lower_is_better else ""), i.role, str(i.people),
                          num(i.mean_entry), num(i.mean_exit), num(i.mean_change), better)
        out.print(table)
    if report.best_mentors:
        out.print("Лучшие наставники: " + "; ".join(f"{m.full_name} ({m.mentor_id})" for m in report.best_mentors))
    if report.findings:
        print_findings(report.findings)


@main.command(short_help="Сводка МНЦ по книгам школ: муниципалитеты и регион.")
@click.argument("paths", metavar="КНИГА_ИЛИ_ПАПКА...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="ФАЙЛ",
              help="Файл сводки (.xlsx): только агрегаты, без имён. Рядом — «<ФАЙЛ>_персучёт.xlsx» с именами.")
@click.option("--period", default=None, metavar="КВАРТАЛ", help="Квартал, например 2024Q3.")
@click.option("--date", "day", default=None, metavar="ДАТА",
              help="Вместо квартала — месяц, в котором эта дата (по умолчанию — текущий месяц).")
@click.option("--jobs", type=IntRange(1, 64), default=None, help="Сколько процессов (по умолчанию — все ядра).")
@click.option("--cluster", default=None, metavar="АДРЕС", help="Адрес планировщика Dask для очень больших сводок.")
@click.option("--validate", "full_check", is_flag=True, help="Проверять каждую книгу всеми правилами (медленнее).")
@click.option("--quiet", is_flag=True, help="Без индикатора хода работы.")
@format_option
@guarded
def summary(paths: tuple[Path, ...], output: Path, period: str | None, day: str | None, jobs: int | None,
            cluster: str | None, full_check: bool, quiet: bool, fmt: str) -> None:
    """Собрать сводку по книгам школ (и выгруженным файлам персучёта): по организациям, муниципалитетам и
    региону — охват против целей, пары, встречи, дорожная карта, удовлетворённость, проверка; нечитаемые
    книги и повторы организаций — на своих листах. Сводный персучёт с именами — отдельным файлом."""
    from nastavnik_xl.actions.summary.run import summarise
    from nastavnik_xl.book.output.summary_book import write_registry_book, write_summary_book

    if period and day:
        raise BookError("Укажите либо --period, либо --date, но не оба.", code="usage")
    if output.suffix.lower() != ".xlsx":
        raise BookError(f"Файл сводки должен оканчиваться на .xlsx: {output}", code="usage")
    if not output.parent.is_dir():
        raise BookError(f"Папки «{output.parent}» нет: создайте её или укажите другую.", code="no-folder")
    with Progress(transient=True, console=err, disable=quiet or fmt == "json" or not err.is_terminal) as bar:
        task = bar.add_task("Читаю книги…", total=None)

        def step(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Прочитано {done} из {total}: {name}")

        result = summarise(list(paths), period, date=parse_day(day) if day else None, jobs=jobs, cluster=cluster,
                           progress=step, validate=full_check)
    written = write_summary_book(result, output)
    registry_file = write_registry_book(result, output.with_name(f"{output.stem}_персучёт.xlsx"))
    if fmt == "json":
        data = result.as_json()  # aggregates only: names stay in the registry file
        print_json({**data, "file": str(written), "registry_file": str(registry_file)})
    else:
        _print_summary(result, written, registry_file)
    sys.exit(result.exit_code)


def _print_summary(result: Any, written: Path, registry_file: Path) -> None:
    out.print(f"Сводка за период: {result.period.title.rstrip('.')}. Файлов: {result.files}, организаций в сводке: "
              f"{len(result.orgs)}, не прочитано: {len(result.unreadable)}, отложено повторов: {len(result.set_aside)}.")
    for u in result.unreadable[:20]:
        out.print(Text("не прочитана: ", style="red") + Text(f"{u.source} — {u.message}"))
    out.print(f"Сводка (только агрегаты): {written}")
    out.print(f"Сводный персучёт (персональные данные, ФЗ-152): {registry_file}")



SERVER_EXTRA = "pip install \"nastavnik-xl[server]\""


@main.command(short_help="Сервер МНЦ для книг школ без Python.")
@click.option("--tokens", "tokens_file", required=True, metavar="ФАЙЛ", type=click.Path(dir_okay=False, path_type=Path),
              help="Файл токенов школ (JSON); если его нет, создаётся пустой.")
@click.option("--new-token", "new_token", default=None, metavar="ОО",
              help="Выдать токен организации ОО: записать его в файл токенов, показать и выйти.")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="АДРЕС",
              help="Адрес, на котором слушать (0.0.0.0 — все сети этого компьютера).")
@click.option("--port", type=IntRange(1, 65535), default=8000, show_default=True, help="Порт.")
@click.option("--workers", type=IntRange(1, 64), default=None, help="Сколько действий выполнять одновременно "
              "(по умолчанию — по числу ядер).")
@click.option("--time-limit", type=FloatRange(1, 3600), default=120, show_default=True, metavar="СЕКУНДЫ",
              help="Предел времени одного действия.")
@click.option("--max-mb", type=FloatRange(0.1, 1024), default=50, show_default=True, metavar="МБ",
              help="Предел размера одного запроса (книги).")
@guarded
def serve(tokens_file: Path, new_token: str | None, host: str, port: int, workers: int | None, time_limit: float,
          max_mb: float) -> None:
    """Сервер МНЦ: кнопки книг школ, где нет Python, выполняются здесь (протокол xlwings Server).
    Каждая школа получает свой токен (--new-token), книгу для сервера создаёт
    «nastavnik new КНИГА.xlsm --server АДРЕС --token ТОКЕН»."""
    from nastavnik_xl.server.tokens import TokenFile

    tokens = TokenFile.open(tokens_file)
    if new_token is not None:
        entry = tokens.add(new_token)
        out.print(f"Токен для «{entry.organisation}»: {entry.token}")
        out.print(f"Книга школы для сервера: nastavnik new КНИГА.xlsm --org \"{entry.organisation}\" "
                  f"--server http://АДРЕС-СЕРВЕРА:{port} --token {entry.token}")
        return
    try:
        from nastavnik_xl.server.app import MEGABYTE, Settings
        from nastavnik_xl.server.serve import serve as run_server
    except ImportError as exc:
        raise BookError(f"Для сервера нужны дополнительные пакеты ({exc.name}): установите их командой "
                        f"{SERVER_EXTRA}.", code="usage") from None
    run_server(Settings(tokens, int(max_mb * MEGABYTE), time_limit, workers), host, port)


_USAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Missing argument '(.+?)'\.?", "не указан аргумент {0}"),
    (r"No such option: (\S+)", "нет такого параметра: {0}"),
    (r"No such command '(.+?)'\.?", "нет такой команды «{0}»"),
    (r"Got unexpected extra arguments? \((.+?)\)", "лишние аргументы: {0}"),
    (r"Invalid value for '(.+?)': '(.*?)' is not a valid (?:integer|float).*", "{0}: «{1}» — не число"),
    (r"Invalid value for '(.+?)': (.*?) is not in the range (.*)", "{0}: {1} — вне допустимого диапазона {2}"),
    (r"Invalid value for '(.+?)': '(.*?)' is not one of (.*)", "{0}: «{1}» — допустимо {2}"),
    (r"Invalid value for '(.+?)': (.*)", "недопустимое значение {0}: {1}"),
    (r"Option '(.+?)' requires an argument\.?", "параметру {0} нужно значение"),
)


def russian_usage_message(message: str) -> str:
    """Click's usage errors in Russian (what a curator reads when a command is mistyped)."""
    import re

    for pattern, template in _USAGE_PATTERNS:
        m = re.match(pattern, message)
        if m:
            return template.format(*m.groups()).rstrip(".")
    return message.rstrip(".")


def run() -> None:
    """Console entry point: like ``main`` but with Russian usage errors (exit 2)."""
    try:
        main.main(prog_name="nastavnik", standalone_mode=False)
    except click.exceptions.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "nastavnik"
        err.print(f"[bold red]Ошибка:[/] {escape(russian_usage_message(exc.format_message()))}. "
                  f"Справка: {command} --help", markup=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Abort:
        err.print("Прервано.")
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
