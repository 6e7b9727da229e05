"""Click's own words in Russian: help headings, usage errors, file checks.

Click looks every message up through ``gettext`` (each of its modules binds ``_`` and
``ngettext`` at import). ``install()`` points those names at the catalogue below, so the help
and the errors a curator reads are Russian whatever the system locale; a message missing from
the catalogue stays as click wrote it.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

MESSAGES: dict[str, str] = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Commands": "Команды",
    "Positional arguments": "Аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию программы и выйти.",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
    "default: {default}": "по умолчанию: {default}",
    "(dynamic)": "(вычисляется)",
    "deprecated": "устарело",
    "required": "обязательно",
    "env var: {var}": "переменная окружения: {var}",
    "Aborted!": "Прервано.",
    "Missing command.": "не указана команда",
    "No such command {name!r}.": "нет такой команды «{name}»",
    "No such option {name!r}.": "нет такого параметра: {name}",
    "Option {name!r} does not take a value.": "параметру {name} значение не нужно",
    "Invalid value for {param_hint}: {message}": "{param_hint}: {message}",
    "Invalid value: {message}": "недопустимое значение: {message}",
    "Missing argument": "не указан аргумент",
    "Missing option": "не указан параметр",
    "Missing parameter": "не указан параметр",
    "Missing parameter: {param_name}": "не указан параметр {param_name}",
    "Try '{command} {option}' for help.": "Справка: {command} {option}",
    "Error: {message}": "Ошибка: {message}",
    "Could not open file {filename!r}: {message}": "не удалось открыть файл «{filename}»: {message}",
    "unknown error": "неизвестная ошибка",
    "file": "файл",
    "directory": "папка",
    "path": "путь",
    "{name} {filename!r} does not exist.": "{name} «{filename}» не существует",
    "{name} {filename!r} is a directory.": "{name} «{filename}» — это папка, а нужен файл",
    "{name} {filename!r} is a file.": "{name} «{filename}» — это файл, а нужна папка",
    "{name} {filename!r} is not readable.": "{name} «{filename}» нельзя прочитать",
    "{name} {filename!r} is not writable.": "в {name} «{filename}» нельзя записать",
    "{name} {filename!r} is not executable.": "{name} «{filename}» нельзя запустить",
    "{value!r} is not a valid {number_type}.": "«{value}» — не число",
    "{value} is not in the range {range}.": "{value} — вне допустимого диапазона: {range}",
    "{value!r} is not a valid UUID.": "«{value}» — не UUID",
    "{value!r} is not a valid boolean. Recognized values: {states}": "«{value}» — ожидается да или нет",
    "Choose from:\n\t{choices}": "Выберите из:\n\t{choices}",
    "Argument {name!r} takes {nargs} values.": "аргументу {name} нужно значений: {nargs}",
    "Value must be an iterable.": "нужен список значений",
    "Do you want to continue?": "Продолжить?",
    "Confirm the action without prompting.": "Подтвердить действие без вопроса.",
    "Repeat for confirmation": "Повторите для подтверждения",
    "Error: The two entered values do not match.": "Ошибка: введённые значения не совпадают.",
    "Error: invalid input": "Ошибка: неверный ввод",
    "Press any key to continue...": "Нажмите любую клавишу…",
}
PLURALS: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("лишний аргумент: {args}", "лишние аргументы: {args}"),
    "Option {name!r} requires an argument.": ("параметру {name} нужно значение", "параметру {name} нужно значений: {nargs}"),
    "Did you mean {possibility}?": ("Может быть, {possibility}?", "(Может быть, одно из: {possibilities}?)"),
    "{value!r} is not {choice}.": ("«{value}» — допустимо только {choice}", "«{value}» — допустимо: {choices}"),
    "Takes {nargs} values but 1 was given.": ("нужно значений: {nargs}, а дано 1", "нужно значений: {nargs}, а дано {len}"),
}
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils",
                 "shell_completion", "_termui_impl")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


def install() -> None:
    """Point click's message look-ups at the Russian catalogue (idempotent)."""
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover — a module of another click version
            continue
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


class IntRange(click.IntRange):
    """An integer range that describes itself in Russian: «от 1 до 2000»."""

    def _describe_range(self) -> str:
        if self.min is not None and self.max is not None:
            return f"от {self.min} до {self.max}"
        if self.min is not None:
            return f"не меньше {self.min}"
        return f"не больше {self.max}"

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return "ЧИСЛО"


class FloatRange(click.FloatRange):
    def _describe_range(self) -> str:
        return f"от {self.min} до {self.max}".replace(".", ",")

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return "ДОЛЯ"
