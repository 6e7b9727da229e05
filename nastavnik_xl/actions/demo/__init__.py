"""The demo region: a municipality of curators' books that look real, with their typical mistakes.

``generate_region`` writes one book per organisation (schools of several types, a centre of
additional education, a college) and ``manifest.json`` beside them: the region's summary and
every planted mistake (book, sheet, Excel row, column header, kind, value), so that validation's
recall can be measured. Everything is deterministic for a seed and a ``today``: the same
arguments give byte-identical files.

How a school is made: the contingent per year; cohorts of pairs per academic year from 2020/21
(formed in October–December, ending in May; the current cohort is still running); the number
of new student mentees in each cohort is chosen so that coverage per calendar year (unique
mentees with a pair active in the year, over the students aged 10–19) lands near the targets;
mentors are pupils, teachers, students, employees… by form; meetings and questionnaires for the
last two cohorts; the roadmap of the current academic year. Mistakes are planted last, on
distinct rows, at ``mistake_rate`` of the data rows.

The package, in the order a book is made: ``words`` and ``common`` (word lists, random and date
helpers), ``forms`` (forms of mentoring and who takes part), ``region`` (organisation types, the
plan, names), ``people`` (mentees, mentors, groups), one school drawn in layers —
``organisation`` → ``mentees`` / ``mentors`` → ``cohorts``; ``meetings`` → ``surveys`` → ``indicators``; all
joined in ``school`` — then ``planter`` and ``mistakes`` (planted mistakes) and ``manifest``
(the whole region and ``manifest.json``). This module re-exports the public names.
"""

from __future__ import annotations

from nastavnik_xl.actions.demo.forms import (
    EMPLOYER_PUPIL,
    EMPLOYER_STUDENT,
    PEER,
    PUPIL,
    STUDENT,
    STUDENT_PUPIL,
    TEACHER,
    TEACHERS,
    YOUNG,
)
from nastavnik_xl.actions.demo.manifest import (
    DEFAULT_MISTAKE_RATE,
    MANIFEST_NAME,
    DemoRegion,
    SchoolSummary,
    generate_region,
    manifest_data,
    school_book,
)
from nastavnik_xl.actions.demo.mistakes import MISTAKE_KINDS, MISTAKE_WEIGHTS, PLANTERS, data_rows, plant_mistakes
from nastavnik_xl.actions.demo.people import Group, Mentee, Mentor, Wave
from nastavnik_xl.actions.demo.planter import Mistake, Planter, excel_row
from nastavnik_xl.actions.demo.region import (
    BOARDING,
    CADET,
    GYMNASIUM,
    LYCEUM,
    OOSH,
    ORG_KINDS,
    SOSH,
    SOSH_UIOP,
    SPO,
    UDO,
    OrgKind,
    RegionPlan,
    SchoolProfile,
    region_plan,
)
from nastavnik_xl.actions.demo.school import LABOUR_CODE_351_8, SchoolData, school_content
from nastavnik_xl.actions.demo.words import words

__all__ = [
    "BOARDING", "CADET", "DEFAULT_MISTAKE_RATE", "EMPLOYER_PUPIL", "EMPLOYER_STUDENT", "GYMNASIUM",
    "LABOUR_CODE_351_8", "LYCEUM", "MANIFEST_NAME", "MISTAKE_KINDS", "MISTAKE_WEIGHTS", "OOSH", "ORG_KINDS",
    "PEER", "PLANTERS", "PUPIL", "SOSH", "SOSH_UIOP", "SPO", "STUDENT", "STUDENT_PUPIL", "TEACHER", "TEACHERS",
    "UDO", "YOUNG", "DemoRegion", "Group", "Mentee", "Mentor", "Mistake", "OrgKind", "Planter", "RegionPlan",
    "SchoolData", "SchoolProfile", "SchoolSummary", "Wave", "data_rows", "excel_row", "generate_region",
    "manifest_data", "plant_mistakes", "region_plan", "school_book", "school_content", "words",
]
