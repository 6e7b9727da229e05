"""Word lists of ``templates/demo.toml`` and the text helpers that pick from them or reshape names."""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache
from typing import Any

from nastavnik_xl.resources import load_toml

# Texts that only fit some grades: the first phrase a text contains decides.
GRADE_HINTS: tuple[tuple[str, int, int], ...] = (
    ("5 класс", 5, 5), ("в 10 классе", 8, 9), ("в 10 класс", 10, 10), ("после 9 класса", 8, 9),
    ("ОГЭ", 8, 9), ("ЕГЭ", 10, 11), ("профиль обучения", 8, 9), ("Индивидуальный проект", 10, 11),
    ("индивидуальный проект", 10, 11), ("НПК", 7, 11), ("ВсОШ", 7, 11),
)
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "h", "c", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"], strict=True))


@cache
def words() -> dict[str, Any]:
    """The word lists of ``templates/demo.toml``."""
    return load_toml("demo")


def fits_grade(text: str, grade: int | None) -> bool:
    """Whether a request, topic or outcome suits a pupil of this grade (None: any)."""
    if grade is None:
        return True
    for phrase, low, high in GRADE_HINTS:
        if phrase in text:
            return low <= grade <= high
    return True


def pick_text(rng: random.Random, options: Sequence[str], grade: int | None = None) -> str:
    """One of ``options`` that suits the grade (any of them if none does)."""
    fitting = [t for t in options if fits_grade(t, grade)]
    return rng.choice(fitting or list(options))


def translit(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in out)
    return "-".join(part for part in slug.split("-") if part)


def adjective_forms(adj: str) -> dict[str, str]:
    """«Зареченский» → feminine «Зареченская», dative «Зареченскому»."""
    stem = adj[:-2]
    return {"adj": adj, "adj_f": stem + "ая", "adj_dat": stem + "ому"}
