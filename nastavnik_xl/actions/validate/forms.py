"""Form rules (seed 004): who mentors whom in each form, the variant belongs to the form, grade order."""

from __future__ import annotations

from collections.abc import Iterator

from nastavnik_xl.actions.validate.context import ERROR, WARNING, Context
from nastavnik_xl.actions.validate.registry import rule
from nastavnik_xl.findings import Finding
from nastavnik_xl.rules.forms import FORM_RULES, mentee_problems, mentor_problems, pair_problems, variant_problem
from nastavnik_xl.rules.people import id_key


@rule("form-mentor-category", "form-mentee-type", "form-not-served", "employer-experience",
      "employer-experience-unknown", "peer-grade-order", title="наставник и наставляемый подходят форме")
def form_participants(ctx: Context) -> Iterator[Finding]:
    reported_mentor: set[tuple[str, str, str]] = set()  # (mentor, form, code): once per mentor and form
    for p, mentor, mentee in ctx.pair_people():
        form = p.get("form")
        if form not in FORM_RULES:
            continue
        if mentor is not None and mentee is not None:
            problems = pair_problems(form, mentor, mentee)
        elif mentor is not None:
            problems = mentor_problems(form, mentor)
        elif mentee is not None:
            problems = mentee_problems(form, mentee)
        else:
            continue
        for problem in problems:
            if problem.side == "mentor":
                once = (id_key(p["mentor_id"]), form, problem.code)
                if once in reported_mentor:
                    continue
                reported_mentor.add(once)
            yield ctx.finding(problem.code, WARNING if problem.warning else ERROR, "pairs", p, problem.field,
                              problem.message)


@rule("variant-not-in-form", title="вариант относится к форме")
def variant_in_form(ctx: Context) -> Iterator[Finding]:
    for p in ctx.rows("pairs"):
        problem = variant_problem(p.get("form"), p.get("variant"))
        if problem:
            yield ctx.finding(problem.code, ERROR, "pairs", p, "variant", problem.message)


@rule("group-mixed-form", title="у группы одна форма")
def one_form_per_group(ctx: Context) -> Iterator[Finding]:
    for rows in ctx.pairs_by_id.values():
        forms = [r.get("form") for r in rows if r.get("form") in FORM_RULES]
        if len(set(forms)) < 2:
            continue
        first = next(r for r in rows if r.get("form") in FORM_RULES)
        for r in rows:
            if r.get("form") in FORM_RULES and r["form"] != first["form"]:
                yield ctx.finding("group-mixed-form", ERROR, "pairs", r, "form",
                                  f"В группе «{r['pair_id']}» разные формы: «{first['form']}» (строка {first['_row']}) "
                                  f"и «{r['form']}». У группы одна форма: исправьте форму или ID пары.")
