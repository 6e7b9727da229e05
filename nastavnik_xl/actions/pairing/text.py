"""What people type, as tags the scorer can compare: Russian words by their stems, days of the week.

«математика» meets «Математике» and «математический»: words are lower-cased, stemmed (Snowball's
Russian stemmer) and cut to their first six letters; short and service words are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

STEM_PREFIX = 6
_WORD = re.compile(r"[а-яёa-z0-9]+", re.IGNORECASE)
STOP = frozenset(["а", "без", "более", "бы", "был", "в", "во", "вне", "вы", "да", "для", "до", "его", "ее", "её", "если", "есть", "ещё", "же", "за", "и", "из", "или", "им", "их", "к", "как", "ко", "когда", "кто", "ли", "либо", "мне", "может", "мы", "на", "над", "не", "нет", "ни", "но", "о", "об", "он", "она", "они", "оно", "от", "по", "под", "после", "при", "про", "с", "со", "так", "также", "то", "того", "тоже", "у", "уже", "чем", "что", "чтобы", "эта", "эти", "это", "я", "просит", "нужен", "нужна", "нужно", "хочет", "хочу", "очень", "свой", "своей", "сильного"])
# Stems too general to say two people fit: «деятельность», «работа», «урок», «школа»…
STOP_TAGS = frozenset({"деятел", "работ", "урок", "школ", "школьн", "класс", "учеб", "учебн", "занят", "помощ",
                       "поддер", "разв", "развит", "навык", "новых", "нов", "друг", "други", "вопрос"})
_stemmer = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=65536)
def word_tag(word: str) -> str | None:
    """The tag of one word, or None for a short or service word."""
    w = word.lower().replace("ё", "е")
    if len(w) < 3 or w in STOP or w.isdigit():
        return None
    tag = _stemmer.stemWord(w)[:STEM_PREFIX]
    return None if tag in STOP_TAGS else tag


def tags(*texts: object) -> frozenset[str]:
    """Tags of every word in ``texts`` (strings or tuples of strings; None is skipped)."""
    out: set[str] = set()
    for text in texts:
        for part in _parts(text):
            for word in _WORD.findall(part):
                tag = word_tag(word)
                if tag:
                    out.add(tag)
    return frozenset(out)


def item_tags(values: object) -> frozenset[str]:
    """One tag per listed item («история края» stays one interest), by its words' stems."""
    return frozenset(" ".join(sorted(tags(v))) for v in _parts(values) if tags(v))


def _parts(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, (tuple, list, set, frozenset)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_DAY_WORDS = {
    "пн": 0, "понедельник": 0, "вт": 1, "вторник": 1, "ср": 2, "среда": 2, "среду": 2, "чт": 3, "четверг": 3,
    "пт": 4, "пятница": 4, "пятницу": 4, "сб": 5, "суббота": 5, "субботу": 5, "вс": 6, "воскресенье": 6,
}
_RANGE = re.compile(r"\b(пн|вт|ср|чт|пт|сб|вс)\s*[–—-]\s*(пн|вт|ср|чт|пт|сб|вс)\b")
_ANY_DAY = ("по согласованию", "любой день", "любое время", "ежедневно", "в любое")


def days(text: object) -> int:
    """A 7-bit mask of the weekdays a person named («пн, ср после 15:00», «пн–пт», «по согласованию» = any)."""
    if not isinstance(text, str) or not text.strip():
        return 0
    low = text.lower().replace("ё", "е")
    if any(p in low for p in _ANY_DAY):
        return 0b1111111
    mask = 0
    for a, b in _RANGE.findall(low):
        first, last = DAYS.index(a), DAYS.index(b)
        for d in range(first, last + 1) if first <= last else (*range(first, 7), *range(last + 1)):
            mask |= 1 << d
    for word in _WORD.findall(low):
        if word in _DAY_WORDS:
            mask |= 1 << _DAY_WORDS[word]
    if "будн" in low:
        mask |= 0b0011111
    if "выходн" in low:
        mask |= 0b1100000
    return mask


def day_names(mask: int) -> str:
    return ", ".join(d for i, d in enumerate(DAYS) if mask >> i & 1)
