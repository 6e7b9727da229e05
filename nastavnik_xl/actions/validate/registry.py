"""The list of named checks: each has its codes, a severity, a Russian title and a function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nastavnik_xl.actions.validate.context import Context
from nastavnik_xl.findings import Finding

Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str  # the function's name
    codes: tuple[str, ...]  # finding codes the rule may give
    title: str  # Russian: what it checks
    check: Check


RULES: list[Rule] = []


def rule(*codes: str, title: str) -> Callable[[Check], Check]:
    """Register a check under its finding codes."""

    def register(func: Check) -> Check:
        RULES.append(Rule(func.__name__, codes, title, func))
        return func

    return register
