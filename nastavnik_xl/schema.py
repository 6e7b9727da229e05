"""The workbook schema: the single source of truth for sheets, columns and lookup lists.

Template, reader, validation and registry all work from these definitions. Russian text is
what the curator sees; field names are the English names used in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache

from nastavnik_xl.resources import load_toml


class ColType(StrEnum):
    """How a column's cells are typed and converted."""

    ID = "id"  # identifier, always text ("12" not "12.0")
    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    DATE = "date"
    YESNO = "yesno"  # да/нет → bool
    PERCENT = "percent"  # stored as a fraction; "70" or "70 %" typed by hand → 0.7
    LOOKUP = "lookup"  # one value of a lookup list
    MULTI = "multi"  # several values separated by ";" or ","


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    type: ColType = ColType.TEXT
    required: bool = False
    lookup: str | None = None
    aliases: tuple[str, ...] = ()
    width: int = 16
    help: str = ""
    computed: bool = False  # a formula column the book fills itself; never typed by the curator
    hidden: bool = False  # a helper column the curator does not need to see
    no_value: tuple[str, ...] = ()  # texts the book's own formula writes instead of a value: read as no value

    def all_headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    table: str  # Excel table name (ASCII, stable)
    columns: tuple[Column, ...] = ()
    id_field: str | None = None
    required: bool = False
    aliases: tuple[str, ...] = ()
    card: tuple[Column, ...] = ()  # key/value fields above the table («Организация»)
    description: str = ""

    def column(self, field_name: str) -> Column:
        for col in (*self.columns, *self.card):
            if col.field == field_name:
                return col
        raise KeyError(f"{self.key}.{field_name}")

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


def C(field_name: str, header: str, type_: ColType = ColType.TEXT, **kw: object) -> Column:
    """Short constructor used by the sheet definitions below."""
    if "lookup" in kw and type_ is ColType.TEXT:
        type_ = ColType.LOOKUP
    aliases = kw.pop("aliases", ())
    return Column(field_name, header, type_, aliases=tuple(aliases), **kw)  # type: ignore[arg-type]


T = ColType

ORGANISATION = Sheet(
    key="organisation",
    name="Организация",
    table="Contingent",
    required=True,
    aliases=("Организация", "ОО", "Образовательная организация", "Карточка организации"),
    description="Карточка организации и контингент по годам",
    card=(
        C("org_name", "Полное наименование ОО", required=True, width=60,
          aliases=("Наименование ОО", "Наименование организации", "Организация", "Полное наименование")),
        C("short_name", "Краткое наименование", aliases=("Сокращённое наименование",)),
        C("inn", "ИНН", T.ID),
        C("municipality", "Муниципальное образование", required=True,
          aliases=("Муниципалитет", "Муниципальный район", "Район", "Городской округ")),
        C("org_type", "Тип ОО", lookup="org_types", aliases=("Тип организации", "Вид ОО")),
        C("curator", "Куратор (ФИО)", required=True, aliases=("Куратор", "ФИО куратора")),
        C("curator_contact", "Контакты куратора", aliases=("Телефон куратора", "E-mail куратора")),
        C("order_ref", "Приказ о внедрении ЦМН", aliases=("Приказ", "Приказ о внедрении")),
        C("reporting_year", "Отчётный год", T.INT, required=True, aliases=("Год", "Отчетный период")),
    ),
    columns=(
        C("year", "Год", T.INT, required=True, width=8),
        C("students_total", "Обучающихся всего", T.INT, width=16,
          aliases=("Всего обучающихся", "Численность обучающихся", "Обучающиеся всего")),
        C("students_10_19", "Обучающихся 10–19 лет", T.INT, width=16,
          aliases=("Обучающихся в возрасте 10-19 лет", "Обучающиеся 10-19 лет", "Обучающихся от 10 лет")),
        C("teachers", "Педагогических работников", T.INT, width=18,
          aliases=("Педагогов", "Педагоги", "Педагогические работники")),
        C("young_specialists", "Молодых специалистов (стаж 0–3 года)", T.INT, width=16,
          aliases=("Молодых специалистов", "Молодые специалисты", "Молодые специалисты (0-3 года)")),
    ),
)

ROADMAP = Sheet(
    key="roadmap",
    name="Дорожная карта",
    table="Roadmap",
    id_field="item_no",
    aliases=("Дорожная карта", "План мероприятий", "Дорожная карта ЦМН"),
    description="План мероприятий внедрения целевой модели",
    columns=(
        C("item_no", "№", T.ID, required=True, width=6, aliases=("№ п/п", "N", "Номер", "№п/п")),
        C("stage", "Этап", lookup="roadmap_stages", width=30),
        C("activity", "Мероприятие", required=True, width=60,
          aliases=("Наименование мероприятия", "Наименование мероприятий", "Содержание", "Мероприятия")),
        C("due", "Срок реализации", width=24, aliases=("Срок", "Сроки", "Сроки реализации")),
        C("due_date", "Контрольная дата", T.DATE, width=14,
          help="Последний день срока. Заполнена по тексту срока; можно поправить."),
        C("owner", "Ответственный", width=24,
          aliases=("Ответственные", "Ответственный исполнитель", "Ответственные исполнители")),
        C("deliverable", "Результат (вид документа)", width=30,
          aliases=("Результат", "Ожидаемый результат", "Результат. Вид документа", "Ожидаемый результат (вид документа)")),
        C("kpi", "Показатель эффективности", width=26, aliases=("Показатели эффективности", "Показатель")),
        C("status", "Статус", lookup="roadmap_statuses", width=12),
        C("done_date", "Дата выполнения", T.DATE, width=14, aliases=("Выполнено", "Дата исполнения")),
    ),
)

MENTORS = Sheet(
    key="mentors",
    name="Наставники",
    table="Mentors",
    id_field="mentor_id",
    required=True,
    aliases=("Наставники", "База наставников"),
    description="База наставников",
    columns=(
        C("mentor_id", "ID наставника", T.ID, required=True, width=12,
          aliases=("ID", "Код наставника", "№ наставника", "Идентификатор")),
        C("full_name", "ФИО", required=True, width=30, aliases=("ФИО наставника", "Фамилия Имя Отчество")),
        C("birth_date", "Дата рождения", T.DATE, width=12),
        C("mentor_category", "Категория наставника", required=True, lookup="mentor_categories", width=22,
          aliases=("Категория", "Кто наставник")),
        C("org", "Организация (место работы, учёбы)", width=26,
          aliases=("Организация", "Место работы", "Место работы/учёбы", "Место работы, учебы")),
        C("position_or_grade", "Должность / класс", width=18,
          aliases=("Должность", "Класс", "Должность/класс", "Должность или класс")),
        C("subject", "Предмет / направление", width=18, aliases=("Предмет", "Направление")),
        C("experience_years", "Стаж, лет", T.NUMBER, width=8, aliases=("Стаж", "Педагогический стаж", "Опыт, лет")),
        C("contact", "Контакты", width=18, aliases=("Телефон", "Контактный телефон", "E-mail")),
        C("interests", "Интересы", T.MULTI, width=24, aliases=("Увлечения", "Интересы и увлечения")),
        C("competencies", "Компетенции", T.MULTI, width=26, aliases=("Компетенции наставника", "Навыки")),
        C("forms", "Формы наставничества", T.MULTI, lookup="forms", width=22,
          aliases=("Форма наставничества", "Формы", "Форма")),
        C("mentor_type", "Тип наставника", lookup="mentor_types", width=13, aliases=("Тип",)),
        C("preferred_mentees", "Предпочтения по наставляемым", width=22,
          aliases=("Предпочтения", "Предпочитаемые наставляемые")),
        C("availability", "Доступность (дни, время)", width=20, aliases=("Доступность", "Время для встреч")),
        C("capacity", "Наставляемых не более", T.INT, width=16,
          aliases=("Нагрузка", "Макс. число наставляемых", "Максимум наставляемых", "Ёмкость")),
        C("trained_on", "Обучение пройдено (дата)", T.DATE, width=12,
          aliases=("Дата обучения", "Обучение", "Обучен")),
        C("interview_done", "Собеседование", T.YESNO, lookup="yes_no", width=16,
          aliases=("Собеседование пройдено", "Собеседование проведено")),
        C("pd_consent_date", "Согласие на обработку ПДн (дата)", T.DATE, width=14,
          aliases=("Согласие на ПДн", "Согласие на обработку персональных данных", "Согласие ПДн")),
        C("mentoring_consent_date", "Согласие на наставничество (ст. 351.8 ТК), дата", T.DATE, width=18,
          aliases=("Согласие на наставничество", "Письменное согласие работника")),
        C("status", "Статус", lookup="mentor_statuses", width=10),
    ),
)

# Helper columns of «Пары» and «Наставляемые» that let the book count people with a pair in a
# year fast: a pair's active years packed as base-256 digits, one window of six years a column
# (see book/formulas.py). Hidden; never typed.
YEAR_CODE_WINDOWS: tuple[int, ...] = (2020, 2026)
YEAR_CODE_SPAN = 6
YEAR_CODE_BASE = 256  # up to 255 pairs of one mentee in one year; 6 years × 8 bits < 2^53
YEAR_CODE_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"years_code_{w}", f"Служебный код лет {w}–{w + YEAR_CODE_SPAN - 1}", ColType.NUMBER,
           width=15, computed=True, hidden=True)
    for w in YEAR_CODE_WINDOWS
)

MENTEES = Sheet(
    key="mentees",
    name="Наставляемые",
    table="Mentees",
    id_field="mentee_id",
    required=True,
    aliases=("Наставляемые", "База наставляемых"),
    description="База наставляемых",
    columns=(
        C("mentee_id", "ID наставляемого", T.ID, required=True, width=16,
          aliases=("ID", "Код наставляемого", "№ наставляемого", "Идентификатор")),
        C("full_name", "ФИО", required=True, width=30, aliases=("ФИО наставляемого", "Фамилия Имя Отчество")),
        C("birth_date", "Дата рождения", T.DATE, width=12),
        C("participant_type", "Тип участника", required=True, lookup="participant_types", width=18,
          aliases=("Тип наставляемого", "Категория участника", "Участник")),
        C("mentee_category", "Категория наставляемого", lookup="mentee_categories", width=26,
          aliases=("Категория", "Группа наставляемых")),
        C("grade_or_position", "Класс / должность", width=14,
          aliases=("Класс", "Должность", "Класс/должность", "Класс или должность")),
        C("subject", "Предмет / направление", width=18, aliases=("Предмет", "Направление")),
        C("request", "Основной запрос", width=36, aliases=("Запрос", "Запрос наставляемого", "Запрос к программе")),
        C("request_source", "Источник запроса", lookup="request_sources", width=20,
          aliases=("Откуда запрос", "Источник информации")),
        C("interests", "Интересы", T.MULTI, width=24, aliases=("Увлечения",)),
        C("availability", "Доступность (дни, время)", width=20, aliases=("Доступность", "Время для встреч")),
        C("pd_consent_date", "Согласие на обработку ПДн (дата)", T.DATE, width=14,
          help="Для несовершеннолетних — согласие законного представителя.",
          aliases=("Согласие на ПДн", "Согласие законного представителя", "Согласие на обработку персональных данных")),
        C("entry_date", "Дата включения в базу", T.DATE, width=14,
          aliases=("Дата включения", "Дата внесения", "Дата входа в программу")),
        C("status", "Статус", lookup="mentee_statuses", width=14),
        C("no_pair_reason", "Причина отсутствия пары", width=24,
          aliases=("Почему нет пары", "Причина"),
          help="Заполните, если наставляемый остался без пары: он не должен потеряться."),
        C("pair_years", "Годы с парой (расчёт)", width=22, computed=True,
          help="Считается автоматически по листу «Пары»: годы, в которых у наставляемого была "
               "действующая пара. По нему считается охват. Не редактируйте."),
        *YEAR_CODE_COLUMNS,
    ),
)

PAIRS = Sheet(
    key="pairs",
    name="Пары",
    table="Pairs",
    id_field="pair_id",
    required=True,
    aliases=("Пары", "Наставнические пары", "Пары и группы"),
    description="Наставнические пары и группы (группа — несколько строк с одним ID пары)",
    columns=(
        C("pair_id", "ID пары", T.ID, required=True, width=9,
          aliases=("ID пары/группы", "Номер пары", "№ пары", "Код пары")),
        C("form", "Форма наставничества", required=True, lookup="forms", width=22, aliases=("Форма",)),
        C("variant", "Вариант", lookup="variants", width=30,
          aliases=("Форма взаимодействия", "Вариант взаимодействия", "Модель")),
        C("mentor_id", "ID наставника", T.ID, required=True, width=12, aliases=("Наставник", "Код наставника")),
        C("mentee_id", "ID наставляемого", T.ID, required=True, width=16,
          aliases=("Наставляемый", "Код наставляемого")),
        C("match_method", "Способ подбора", lookup="match_methods", width=20, aliases=("Как подобрана",)),
        C("match_score", "Оценка совпадения", T.PERCENT, width=13, aliases=("Совпадение", "Оценка подбора")),
        C("order_ref", "Приказ о закреплении", width=18, aliases=("Приказ", "Распоряжение", "Номер приказа")),
        C("start_date", "Дата начала", T.DATE, required=True, width=12,
          aliases=("Начало", "Дата формирования", "Дата закрепления")),
        C("planned_end", "Плановое окончание", T.DATE, width=12, aliases=("Дата окончания (план)", "Окончание план")),
        C("actual_end", "Фактическое окончание", T.DATE, width=15,
          aliases=("Дата окончания (факт)", "Окончание факт", "Дата окончания")),
        C("plan_approved", "План утверждён", T.YESNO, lookup="yes_no", width=12,
          aliases=("Индивидуальный план утверждён", "ИПР утверждён")),
        C("plan_pct", "Выполнение плана", T.PERCENT, width=13,
          aliases=("Выполнение плана, %", "Выполнение ИПР", "% выполнения")),
        C("status", "Статус", lookup="pair_statuses", width=14),
        C("outcome", "Результат", width=30, aliases=("Итог", "Результаты")),
        *YEAR_CODE_COLUMNS,
    ),
)

MEETINGS = Sheet(
    key="meetings",
    name="Встречи",
    table="Meetings",
    id_field="meeting_id",
    aliases=("Встречи", "Журнал встреч"),
    description="Журнал встреч пар и групп",
    columns=(
        C("meeting_id", "ID встречи", T.ID, required=True, width=10, aliases=("№ встречи", "Номер встречи")),
        C("pair_id", "ID пары", T.ID, width=9, aliases=("Пара", "ID пары/группы"),
          help="Пусто для встречи всей программы: групповой встречи до формирования пар или "
               "итоговой встречи всех пар. Тогда заполните «Участников, чел.»."),
        C("meeting_type", "Тип встречи", required=True, lookup="meeting_types", width=21, aliases=("Вид встречи",)),
        C("date", "Дата", T.DATE, required=True, width=12, aliases=("Дата встречи",)),
        C("format", "Формат", lookup="meeting_formats", width=13, aliases=("Формат встречи",)),
        C("duration_min", "Длительность, мин", T.INT, width=16, aliases=("Длительность", "Продолжительность")),
        C("topic", "Тема", width=32, aliases=("Тема встречи", "Содержание")),
        C("confirmation", "Подтверждение (форма, отзыв)", width=22,
          aliases=("Подтверждение", "Подтверждающая форма", "Отзыв")),
        C("notes", "Заметки", width=30, aliases=("Примечание", "Комментарий")),
        C("participants", "Участников, чел.", T.INT, width=14,
          aliases=("Участников", "Число участников", "Присутствовало, чел.", "Присутствовало"),
          help="Сколько человек пришло на групповую встречу: по нему проверяется явка "
               "«не менее 90 % участников»."),
    ),
)

SURVEYS = Sheet(
    key="surveys",
    name="Анкеты",
    table="Surveys",
    id_field="response_id",
    aliases=("Анкеты", "Анкетирование", "Ответы анкет"),
    description="Ответы анкет (одна строка — один ответ на вопрос)",
    columns=(
        C("response_id", "ID ответа", T.ID, required=True, width=10, aliases=("№", "Номер ответа")),
        C("survey", "Анкета", required=True, lookup="surveys", width=36, aliases=("Название анкеты",)),
        C("phase", "Этап", lookup="survey_phases", width=12, aliases=("Этап анкетирования",)),
        C("respondent_id", "ID респондента", T.ID, required=True, width=14, aliases=("Респондент",)),
        C("role", "Роль", lookup="roles", width=14, aliases=("Роль респондента",)),
        C("pair_id", "ID пары", T.ID, width=9, aliases=("Пара",)),
        C("date", "Дата", T.DATE, width=12, aliases=("Дата анкетирования",)),
        C("question", "Вопрос", required=True, width=36),
        C("score", "Оценка (1–10)", T.NUMBER, width=9, aliases=("Оценка", "Балл", "Баллы"),
          help="По умолчанию шкала 1–10 (документы программы шкалу не задают). Если анкета "
               "использует другую шкалу, укажите её на листе «Показатели» в столбце «Шкала, единица»."),
        C("text", "Ответ (текст)", width=30, aliases=("Ответ", "Текст ответа")),
        C("swot_tag", "SWOT", lookup="swot", width=7, aliases=("SWOT-метка",)),
        C("preferred_ids", "Предпочитаемые (ID через ;)", T.MULTI, width=19,
          aliases=("Предпочитаемые", "Предпочтения", "Предпочитаемый наставник")),
        C("indicator", "Показатель", lookup="indicators", width=22,
          aliases=("Показатель мониторинга", "Параметр"),
          help="Необязательно: показатель мониторинга (лист «Показатели»), который измеряет "
               "этот вопрос. Оценки вопросов одного показателя усредняются."),
    ),
)

INDICATORS = Sheet(
    key="indicators",
    name="Показатели",
    table="Indicators",
    aliases=("Показатели мониторинга", "Мониторинг показателей", "Замеры", "Вход и выход"),
    description="Показатели участников на входе и на выходе из программы (мониторинг, этап 2)",
    columns=(
        C("person_id", "ID участника", T.ID, required=True, width=14,
          aliases=("ID", "Участник", "ID наставляемого", "ID наставника", "Код участника"),
          help="ID наставляемого или наставника из баз."),
        C("role", "Роль", lookup="roles", width=14, aliases=("Роль участника",)),
        C("indicator", "Показатель", required=True, lookup="indicators", width=30,
          aliases=("Параметр", "Показатель мониторинга"),
          help="Каждый показатель измеряется дважды: на входе в программу и на выходе."),
        C("phase", "Этап", required=True, lookup="survey_phases", width=14,
          aliases=("Этап измерения", "Замер", "Вход/выход")),
        C("date", "Дата", T.DATE, width=12, aliases=("Дата измерения", "Дата замера")),
        C("value", "Значение", T.NUMBER, required=True, width=11, aliases=("Балл", "Результат", "Оценка")),
        C("scale", "Шкала, единица", width=18, aliases=("Шкала", "Единица", "Единица измерения"),
          help="Например «1–10», «средний балл 2–5», «число за полугодие»."),
        C("source", "Источник", lookup="indicator_sources", width=14,
          aliases=("Источник данных", "Метод", "Инструмент")),
    ),
)

NO_CONTINGENT = "нет контингента"
"""What a coverage cell of the book says when people are counted but the contingent is missing or zero."""

TARGETS = Sheet(
    key="targets",
    name="Целевые показатели",
    table="Targets",
    aliases=("Целевые показатели", "Целевые показатели охвата", "Охват целевые показатели"),
    description="Целевые и фактические показатели охвата по годам",
    columns=(
        C("year", "Год", T.INT, required=True, width=8),
        C("group", "Категория", required=True, width=22, aliases=("Категория участников", "Тип участника")),
        C("target_pct", "Цель, %", T.PERCENT, width=10, aliases=("Целевой показатель", "Целевой показатель, %", "Цель")),
        C("denominator", "Контингент, чел.", T.INT, width=14, aliases=("Контингент", "Всего, чел.")),
        C("actual", "Охвачено, чел.", T.INT, width=12, aliases=("Охвачено", "Факт, чел.")),
        C("actual_pct", "Факт, %", T.PERCENT, width=16, aliases=("Охват, %", "Факт"),
          no_value=(NO_CONTINGENT,)),  # width: «нет контингента» on one line
        C("gap", "Отклонение, п.п.", T.NUMBER, width=14, aliases=("Отклонение",)),
    ),
)

PANEL_NAME = "Панель"
LOOKUPS_NAME = "Справочники"
OUTPUT_SHEETS: tuple[str, ...] = ("Проверка", "Подбор пар", "Охват", "Мониторинг", "Персонифицированный учёт")

# «Показатели» comes before «Целевые показатели»: the latter keeps its old synonym «Показатели», and the
# reader gives a sheet to the first schema sheet whose name or synonym it matches.
DATA_SHEETS: tuple[Sheet, ...] = (ORGANISATION, ROADMAP, MENTORS, MENTEES, PAIRS, MEETINGS, SURVEYS, INDICATORS,
                                  TARGETS)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in DATA_SHEETS}
SHEET_ORDER: tuple[str, ...] = (PANEL_NAME, *(s.name for s in DATA_SHEETS), LOOKUPS_NAME)


# --- normalisation of what people type ---------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u00ad-]")
_SPACES = re.compile(r"\s+")


def norm(text: object) -> str:
    """Cached :func:`normalise` (values and headers repeat a lot within a book)."""
    return _norm_cached(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)
def _norm_cached(text: str) -> str:
    return normalise(text)


def normalise(text: str) -> str:
    """Normalise a header or lookup value for comparison.

    Case, ё/е, non-breaking and repeated spaces, the kind of dash and spaces around it,
    and trailing ``*``/``:``/``.`` do not matter.
    """
    s = str(text).replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е").lower()
    s = _DASHES.sub("-", s)
    s = _SPACES.sub(" ", s).strip()
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s*([/,;()])\s*", r"\1", s)
    return s.rstrip("*:. ").strip()


# --- lookup lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    key: str
    title: str
    values: tuple[str, ...]
    internal: bool = False
    synonyms: dict[str, str] = field(default_factory=dict)  # normalised synonym → the list's value
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def canonical(self, value: object) -> str | None:
        """The list's own spelling of ``value``, or None if it is not in the list."""
        if not self._index:
            for v in self.values:
                self._index[v] = v
                self._index[norm(v)] = v
        return self._index.get(value) or self._index.get(norm(value))  # type: ignore[call-overload]

    def synonym(self, value: object) -> str | None:
        """The list's value for a known synonym («учитель» → «педагог»), else None."""
        return self.synonyms.get(norm(value))


@cache
def lookups() -> dict[str, Lookup]:
    """All lookup lists from ``templates/lookups.toml``, in file order."""
    out: dict[str, Lookup] = {}
    for key, spec in load_toml("lookups").items():
        values = spec.get("values")
        if values is None:
            continue
        synonyms = dict(spec.get("synonyms", {}))
        unknown = set(synonyms.values()) - set(values)
        if unknown:
            raise ValueError(f"lookups.toml [{key}]: synonyms point outside the list: {sorted(unknown)}")
        out[key] = Lookup(key, spec["title"], tuple(values), bool(spec.get("internal", False)),
                          {norm(k): v for k, v in synonyms.items()})
    return out


@cache
def variants_by_form() -> dict[str, tuple[str, ...]]:
    spec = load_toml("lookups")["variants_by_form"]
    return {k: tuple(v) for k, v in spec.items() if isinstance(v, list)}


def sheet(key: str) -> Sheet:
    return SHEETS_BY_KEY[key]


# --- coverage groups (targets.toml) -----------------------------------------------------------


@dataclass(frozen=True)
class CoverageGroup:
    """A row kind of «Целевые показатели»: which mentees count and over which contingent."""

    key: str
    title: str
    participant_types: tuple[str, ...]
    denominator: str
    fallback_denominator: str | None
    targets: dict[int, float]  # year → fraction (0.7 for 70 %)


@cache
def coverage_groups() -> tuple[CoverageGroup, ...]:
    spec = load_toml("targets")
    return tuple(
        CoverageGroup(
            key=g["key"],
            title=g["title"],
            participant_types=tuple(g["participant_types"]),
            denominator=g["denominator"],
            fallback_denominator=g.get("fallback_denominator"),
            targets={int(y): float(p) / 100 for y, p in g.get("targets", {}).items()},
        )
        for g in spec["group"]
    )


def target_years() -> range:
    spec = load_toml("targets")
    return range(int(spec["first_year"]), int(spec["last_year"]) + 1)


def coverage_group_by_title(title: object) -> CoverageGroup | None:
    for g in coverage_groups():
        if norm(g.title) == norm(title) or norm(title) in {norm(t) for t in g.participant_types}:
            return g
    return None


# --- monitoring indicators (indicators.toml) ---------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """A parameter of monitoring's Этап 2, measured at entry and at exit, and the way it is better."""

    name: str  # the value of the «indicators» lookup list
    lower_is_better: bool
    participants: str  # «все», «обучающиеся» or «педагоги»: whose «Результат» it is
    scale: str  # the template's default scale or unit
    seed: str  # where the seeds name it

    def improved(self, entry: float, exit_: float) -> bool:
        """Did the value move the way it is better (strictly)?"""
        return exit_ < entry if self.lower_is_better else exit_ > entry


@cache
def indicators() -> dict[str, Indicator]:
    """The indicators of ``templates/indicators.toml`` by name; the same names as the «indicators» list."""
    out = {}
    for spec in load_toml("indicators")["indicator"]:
        better = spec["better"]
        if better not in ("higher", "lower"):
            raise ValueError(f"indicators.toml: «{spec['name']}»: better must be higher or lower, not {better!r}")
        out[spec["name"]] = Indicator(spec["name"], better == "lower", spec["participants"], spec["scale"],
                                      spec.get("seed", ""))
    listed = lookups()["indicators"].values
    if tuple(out) != listed:
        raise ValueError("indicators.toml and lookups.toml [indicators] must list the same indicators in order")
    return out
