"""Small random and calendar helpers shared by every part of the demo."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any


def pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    """One key of ``weights``, drawn in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def working_day(day: dt.date) -> dt.date:
    """The day itself, or the next one that is not a Sunday nor in the New Year holidays (30 Dec–8 Jan)."""
    while day.weekday() == 6 or (day.month, day.day) >= (12, 30) or (day.month == 1 and day.day <= 8):
        day += dt.timedelta(days=1)
    return day


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def ru_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")
