"""Who may take part in each form of mentoring (seed 004), as data and one checking function.

Validation reports these problems for pairs the curator entered; pairing turns the same table
into hard constraints for the pairs it proposes. One implementation for both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nastavnik_xl.schema import lookups, variants_by_form

PEER = "ученик – ученик"
TEACHERS = "учитель – учитель"
STUDENT_PUPIL = "студент – ученик"
EMPLOYER_PUPIL = "работодатель – ученик"
EMPLOYER_STUDENT = "работодатель – студент"

EMPLOYER_SIDE = ("сотрудник предприятия", "предприниматель/общественный деятель", "родитель", "выпускник")
MIN_EMPLOYER_EXPERIENCE = 5  # seed 004: «профессионал с большим (от 5 лет) опытом работы»


@dataclass(frozen=True)
class FormRule:
    form: str
    mentor_categories: tuple[str, ...]
    mentee_types: tuple[str, ...]
    min_experience: int | None = None  # years, for employer-side mentors
    mentor_above: bool = False  # the mentor is in a higher grade than the mentee
    mentor_label: str = ""  # Russian, for messages: who must be the mentor
    mentee_label: str = ""


FORM_RULES: dict[str, FormRule] = {
    PEER: FormRule(PEER, ("обучающийся",), ("обучающийся",), mentor_above=True,
                   mentor_label="обучающийся более старшего класса", mentee_label="обучающийся"),
    TEACHERS: FormRule(TEACHERS, ("педагог", "ветеран педагогического труда"), ("педагог", "молодой специалист"),
                       mentor_label="педагог (или ветеран педагогического труда)",
                       mentee_label="педагог или молодой специалист"),
    STUDENT_PUPIL: FormRule(STUDENT_PUPIL, ("студент",), ("обучающийся",),
                            mentor_label="студент", mentee_label="обучающийся"),
    EMPLOYER_PUPIL: FormRule(EMPLOYER_PUPIL, EMPLOYER_SIDE, ("обучающийся",), min_experience=MIN_EMPLOYER_EXPERIENCE,
                             mentor_label="представитель работодателя (сотрудник предприятия, предприниматель "
                                          "или общественный деятель; может быть родителем или выпускником)",
                             mentee_label="обучающийся"),
    EMPLOYER_STUDENT: FormRule(EMPLOYER_STUDENT, EMPLOYER_SIDE, ("студент",), min_experience=MIN_EMPLOYER_EXPERIENCE,
                               mentor_label="представитель работодателя (сотрудник предприятия, предприниматель "
                                            "или общественный деятель; может быть родителем или выпускником)",
                               mentee_label="студент"),
}


@dataclass(frozen=True)
class FormProblem:
    """Why a mentor and a mentee cannot be a pair of this form."""

    code: str
    field: str  # the pair's field the problem is shown on
    side: str  # "mentor", "mentee" or "pair"
    message: str  # Russian, complete sentence
    warning: bool = False


_GRADE = re.compile(r"(\d{1,2})")


def grade_of(value: object) -> int | None:
    """The grade (class or course) number written in «7 «Б»», «10А», «7 класс», «студент 2 курса»."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if 1 <= value <= 11 else None
    if not isinstance(value, str):
        return None
    m = _GRADE.search(value)
    if not m:
        return None
    n = int(m.group(1))
    return n if 1 <= n <= 11 else None


def forms_for(mentor_category: str | None, mentee_type: str | None) -> list[str]:
    """The forms in which such a mentor may mentor such a mentee."""
    return [r.form for r in FORM_RULES.values()
            if mentor_category in r.mentor_categories and mentee_type in r.mentee_types]


def mentor_forms(mentor: Mapping[str, Any]) -> set[str]:
    """Forms a mentor can serve: those listed for them, else every form their category allows."""
    listed = {f for f in (mentor.get("forms") or ()) if f in FORM_RULES}
    if listed:
        return listed
    category = mentor.get("mentor_category")
    return {r.form for r in FORM_RULES.values() if category in r.mentor_categories}


def variant_problem(form: str | None, variant: str | None) -> FormProblem | None:
    allowed = variants_by_form().get(form or "")
    if not variant or allowed is None or variant in allowed:
        return None
    known = {v for vs in variants_by_form().values() for v in vs}
    if variant not in known:
        return None  # the reader already reported a value that is not in the list
    return FormProblem("variant-not-in-form", "variant", "pair",
                       f"Вариант «{variant}» не относится к форме «{form}». Для этой формы: "
                       + "; ".join(f"«{v}»" for v in allowed) + ".")


def mentor_problems(form: str, mentor: Mapping[str, Any]) -> list[FormProblem]:
    """What keeps this mentor out of this form, whoever the mentee is."""
    rule = FORM_RULES.get(form)
    if rule is None:
        return []
    out: list[FormProblem] = []
    category = mentor.get("mentor_category")
    if category in _known_categories() and category not in rule.mentor_categories:
        out.append(FormProblem("form-mentor-category", "mentor_id", "mentor",
                               f"В форме «{form}» наставник — {rule.mentor_label}, а у наставника "
                               f"{mentor.get('mentor_id')} категория «{category}». Проверьте форму или наставника."))
    listed = {f for f in (mentor.get("forms") or ()) if f in FORM_RULES}
    if listed and form not in listed:
        out.append(FormProblem("form-not-served", "form", "mentor",
                               f"Наставник {mentor.get('mentor_id')} не работает в форме «{form}» (в его карточке: "
                               + ", ".join(f"«{f}»" for f in sorted(listed))
                               + "). Добавьте форму в карточку наставника или выберите другого.",
                               warning=True))
    if rule.min_experience is not None and category in rule.mentor_categories:
        years = mentor.get("experience_years")
        if isinstance(years, (int, float)) and not isinstance(years, bool) and years < rule.min_experience:
            out.append(FormProblem("employer-experience", "mentor_id", "mentor",
                                   f"В форме «{form}» наставнику нужен опыт работы от {rule.min_experience} лет, "
                                   f"а у наставника {mentor.get('mentor_id')} — {years:g}. Выберите более опытного "
                                   "наставника."))
        elif years is None:
            out.append(FormProblem("employer-experience-unknown", "mentor_id", "mentor",
                                   f"В форме «{form}» наставнику нужен опыт работы от {rule.min_experience} лет: "
                                   f"заполните «Стаж, лет» у наставника {mentor.get('mentor_id')}.", warning=True))
    return out


def mentee_problems(form: str, mentee: Mapping[str, Any]) -> list[FormProblem]:
    rule = FORM_RULES.get(form)
    if rule is None:
        return []
    ptype = mentee.get("participant_type")
    if ptype in _known_types() and ptype not in rule.mentee_types:
        return [FormProblem("form-mentee-type", "mentee_id", "mentee",
                            f"В форме «{form}» наставляемый — {rule.mentee_label}, а {mentee.get('mentee_id')} — "
                            f"«{ptype}». Проверьте форму или тип участника.")]
    return []


def grade_problem(form: str, mentor: Mapping[str, Any], mentee: Mapping[str, Any]) -> FormProblem | None:
    rule = FORM_RULES.get(form)
    if rule is None or not rule.mentor_above:
        return None
    high, low = grade_of(mentor.get("position_or_grade")), grade_of(mentee.get("grade_or_position"))
    if high is None or low is None or high > low:
        return None
    return FormProblem("peer-grade-order", "mentor_id", "pair",
                       f"В форме «{form}» наставник должен учиться в более старшем классе, чем наставляемый, а "
                       f"у наставника {mentor.get('mentor_id')} — {high} класс, у {mentee.get('mentee_id')} — {low}.")


def pair_problems(form: str, mentor: Mapping[str, Any], mentee: Mapping[str, Any]) -> list[FormProblem]:
    """Every form rule this mentor and mentee break together (empty: they may be a pair of this form)."""
    out = mentor_problems(form, mentor) + mentee_problems(form, mentee)
    grade = grade_problem(form, mentor, mentee)
    if grade:
        out.append(grade)
    return out


def _known_categories() -> set[str]:
    return set(lookups()["mentor_categories"].values)


def _known_types() -> set[str]:
    return set(lookups()["participant_types"].values)
