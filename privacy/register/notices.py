"""Draft notices to Roskomnadzor, filled from the register: the notification of processing
(152-FZ Art. 22), the notice of changes (Art. 22 part 7), the cross-border transfer notice
(Art. 12 parts 3-4) and the incident notices (Art. 21 part 3.1, 24 and 72 hours).

Each is built once as a list of blocks; the printable page and the .docx download are two
renderings of the same blocks. The documents are Russian, as filed; every one opens with the
banner that it is a draft for the responsible person to review, not legal advice.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from privacy.incidents.models import DataCategory, Incident
from privacy.people.models import Person
from privacy.register.clocks import (
    INCIDENT_FIRST_NOTICE_HOURS,
    INCIDENT_RESULTS_NOTICE_HOURS,
    MOSCOW,
    change_notice_due,
    cross_border_may_start,
    incident_due,
)
from privacy.register.history import NOTIFIABLE, field_label
from privacy.register.models import CrossBorderNotice, Operator, RegisterChange
from privacy.register.selectors import Register, change_months_pending, notice_facts
from privacy.register.vocabulary import ACTIONS, DATA_ITEMS, METHODS, RU, country_term

DRAFT_BANNER_RU = (
    "ЧЕРНОВИК. Подготовлен автоматически по данным реестра обработки персональных данных "
    "(редакция № {revision} от {generated}). Подлежит проверке лицом, ответственным за "
    "организацию обработки персональных данных, перед подписанием и направлением. Не является "
    "юридической консультацией."
)
DRAFT_BANNER_EN = (
    "DRAFT, generated from processing register revision {revision} at {generated}. To be "
    "reviewed by the person responsible for organising processing before signing and sending. "
    "Not legal advice."
)
LAW = "Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных»"


@dataclass(frozen=True)
class Part:
    text: str
    missing: bool = False
    bold: bool = False


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "table"
    parts: list[Part] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class NoticeDocument:
    slug: str
    title: str
    gloss_en: str
    article: str
    blocks: list[Block]
    revision: int
    generated_at: datetime
    due: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def banner_ru(self) -> str:
        return DRAFT_BANNER_RU.format(revision=self.revision, generated=_moment(self.generated_at))

    @property
    def banner_en(self) -> str:
        return DRAFT_BANNER_EN.format(revision=self.revision, generated=_moment(self.generated_at))


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _moment(value: datetime | None) -> str:
    return value.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M (МСК)") if value else ""


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.missing: list[str] = []

    def value(self, text: str, what: str) -> Part:
        if text and text.strip():
            return Part(text.strip())
        self.missing.append(what)
        return Part(f"[НЕ ЗАПОЛНЕНО: {what}]", missing=True)

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", [Part(text)]))

    def para(self, *parts: str | Part) -> None:
        self.blocks.append(
            Block("paragraph", [p if isinstance(p, Part) else Part(p) for p in parts])
        )

    def table(self, rows: list[list[str]]) -> None:
        self.blocks.append(Block("table", rows=rows))


def _addressee(b: _Builder, op: Operator) -> None:
    b.para("Руководителю ", b.value(op.rkn_territorial_body, "территориальный орган Роскомнадзора"))


def _operator_line(b: _Builder, op: Operator) -> None:
    b.para(
        b.value(op.full_name_ru, "наименование оператора"),
        "; ИНН ",
        b.value(op.inn, "ИНН"),
        "; ОГРН ",
        b.value(op.ogrn, "ОГРН"),
        "; адрес: ",
        b.value(op.legal_address_ru, "адрес оператора"),
        ".",
    )


def _signature(b: _Builder, op: Operator) -> None:
    b.para(
        b.value(op.responsible_position, "должность"),
        "    ____________    ",
        b.value(op.responsible_name, "ФИО"),
        "    «___» ____________ 20__ г.",
    )


def _document(b: _Builder, register: Register, **kwargs: str) -> NoticeDocument:
    return NoticeDocument(
        blocks=b.blocks,
        missing=b.missing,
        revision=register.revision,
        generated_at=timezone.now(),
        **kwargs,
    )


def processing_notice(register: Register) -> NoticeDocument:
    """The notification of processing (Art. 22 parts 1 and 3)."""
    op = register.operator
    b = _Builder()
    _addressee(b, op)
    b.para(
        b.value(op.full_name_ru, "наименование оператора"),
        f" уведомляет о намерении осуществлять обработку персональных данных (ст. 22 {LAW}).",
    )
    b.heading("1. Наименование, адрес оператора (п. 1 ч. 3 ст. 22)")
    _operator_line(b, op)
    if op.postal_address_ru:
        b.para("Почтовый адрес: ", op.postal_address_ru, ".")
    purposes = [p for p in register.purposes if p.active]
    b.heading("Сведения о целях обработки (пп. 2–6 ч. 3 ст. 22)")
    if not purposes:
        b.para(b.value("", "цели обработки"))
    for n, purpose in enumerate(purposes, 1):
        b.heading(f"Цель {n}: {purpose.title_ru} (п. 2)")
        data = "; ".join(DATA_ITEMS[k].ru for k in purpose.data_items if k in DATA_ITEMS)
        actions = "; ".join(ACTIONS[k].ru for k in purpose.actions if k in ACTIONS)
        b.para(
            "Категории персональных данных (п. 3): иные; перечень: ",
            b.value(data, "перечень данных"),
            ".",
        )
        b.para(
            "Категории субъектов (п. 4): ",
            b.value(purpose.subject_categories_ru, "категории субъектов"),
            ".",
        )
        b.para(
            "Правовое основание (п. 5): ",
            b.value(purpose.legal_basis_ru, "правовое основание"),
            ".",
        )
        b.para("Перечень действий (п. 6): ", b.value(actions, "действия"), ".")
        b.para("Способы обработки (п. 6): ", METHODS[purpose.methods].ru, ".")
    b.heading("7. Описание мер, предусмотренных ст. 18.1 и 19 Закона (п. 7 ч. 3 ст. 22)")
    b.para(b.value(op.security_measures_ru, "меры по ст. 18.1 и 19"))
    b.para(
        "Шифровальные (криптографические) средства: ",
        f"имеются — {op.crypto_tools}" if op.crypto_tools else "не используются",
        ".",
    )
    b.heading("7.1. Лицо, ответственное за организацию обработки персональных данных (п. 7.1)")
    b.para(
        b.value(op.responsible_name, "ФИО ответственного"),
        ", ",
        b.value(op.responsible_position, "должность"),
        "; тел.: ",
        b.value(op.responsible_phone, "телефон"),
        "; почтовый адрес: ",
        b.value(op.responsible_postal_address or op.postal_address_ru, "почтовый адрес"),
        "; e-mail: ",
        b.value(op.responsible_email, "e-mail"),
        ".",
    )
    b.heading("8. Дата начала обработки персональных данных (п. 8)")
    b.para(b.value(_day(op.processing_start_date), "дата начала обработки"))
    b.heading("9. Срок или условие прекращения обработки (п. 9)")
    b.para(b.value(op.processing_end_condition_ru, "условие прекращения обработки"))
    b.heading("10. Трансграничная передача (п. 10)")
    foreign = [p for p in register.processors if p.enabled and p.is_cross_border]
    if foreign:
        codes = sorted({c for p in foreign for c in p.foreign_countries()})
        names = ", ".join(country_term(c).ru if c else "[страна не указана]" for c in codes)
        b.para(
            "Осуществляется; государства: ",
            names,
            ". Получатели: ",
            "; ".join(p.name(RU) for p in foreign),
            ".",
        )
    else:
        b.para("Не осуществляется.")
    b.heading(
        "10.1. Место нахождения базы данных информации, содержащей персональные данные "
        "граждан РФ (п. 10.1)"
    )
    b.para(b.value(op.database_locations, "место нахождения баз данных"))
    b.heading("11. Сведения об обеспечении безопасности персональных данных (п. 11)")
    b.para(
        "Уровень защищённости: ",
        b.value(op.security_level, "уровень защищённости"),
        " (постановление Правительства РФ от 01.11.2012 № 1119).",
    )
    if op.processing_regions:
        b.para(
            "Субъекты РФ, на территории которых осуществляется обработка: ",
            op.processing_regions,
            ".",
        )
    _signature(b, op)
    return _document(
        b,
        register,
        slug="processing",
        title="Уведомление об обработке (о намерении осуществлять обработку) персональных данных",
        gloss_en="Notification of processing of personal data",
        article="152-FZ Art. 22",
        due=_day(op.processing_start_date)
        and f"до начала обработки ({_day(op.processing_start_date)})",
    )


def _month_name(month: date) -> str:
    names = (
        "январе",
        "феврале",
        "марте",
        "апреле",
        "мае",
        "июне",
        "июле",
        "августе",
        "сентябре",
        "октябре",
        "ноябре",
        "декабре",
    )
    return f"{names[month.month - 1]} {month.year} г."


def changes_notice(register: Register, month: date) -> NoticeDocument:
    """The notice of all the changes of one month (Art. 22 part 7), due by the next 15th."""
    op = register.operator
    pending = next((m for m in change_months_pending() if m.month == month), None)
    if pending is not None:
        changes = pending.changes
    else:  # filed already: print the month again
        changes = [
            c
            for c in RegisterChange.objects.exclude(item="").order_by("pk")
            if (c.effective_on or c.changed_at.astimezone(MOSCOW).date()).replace(day=1) == month
        ]
    due = change_notice_due(month)
    b = _Builder()
    _addressee(b, op)
    b.para(
        "Оператор: ",
        b.value(op.full_name_ru, "наименование оператора"),
        ", ИНН ",
        b.value(op.inn, "ИНН"),
        ", ОГРН ",
        b.value(op.ogrn, "ОГРН"),
        ", адрес: ",
        b.value(op.legal_address_ru, "адрес"),
        ".",
    )
    b.para(
        "Регистрационный номер записи в реестре операторов: ",
        b.value(op.rkn_registry_number, "номер в реестре операторов"),
        ".",
    )
    b.para(
        f"В соответствии с ч. 7 ст. 22 {LAW} сообщаем обо всех изменениях сведений, указанных "
        f"в ч. 3 ст. 22, возникших в {_month_name(month)} (срок направления — не позднее "
        f"{_day(due)})."
    )
    labels: dict[str, str] = {}
    for model, fields in NOTIFIABLE.items():
        for name in fields:
            labels[f"{model._meta.model_name}.{name}"] = field_label(model, name)
    rows = [
        [
            "№",
            "Пункт ч. 3 ст. 22",
            "Сведения",
            "Прежние сведения",
            "Новые сведения",
            "Дата изменения",
        ]
    ]
    entity_model = {
        "operator": "operator",
        "purpose": "processingpurpose",
        "processor": "processor",
    }
    for n, change in enumerate(changes, 1):
        what = labels.get(
            f"{entity_model.get(change.entity, change.entity)}.{change.field}", change.field
        )
        rows.append(
            [
                str(n),
                f"п. {change.item}",
                f"{change.object_repr}: {what}",
                change.old or "—",
                change.new or "—",
                _day(change.effective_on or change.changed_at.astimezone(MOSCOW).date()),
            ]
        )
    if not changes:
        b.para(b.value("", "изменения за месяц"))
    b.table(rows)
    b.para("Сведения, не указанные в таблице, не изменились.")
    _signature(b, op)
    return _document(
        b,
        register,
        slug=f"changes-{month:%Y-%m}",
        title="Информационное письмо о внесении изменений в сведения в реестре операторов, "
        "осуществляющих обработку персональных данных",
        gloss_en=f"Notice of the changes of {month:%m.%Y}",
        article="152-FZ Art. 22 part 7",
        due=f"не позднее {_day(due)}",
    )


def cross_border_notice(register: Register, notice: CrossBorderNotice) -> NoticeDocument:
    """The notice of intended cross-border transfer (Art. 12 parts 3-4)."""
    op = register.operator
    processors = list(notice.processors.all())
    purposes = {p.pk: p for pr in processors for p in pr.purposes.all()}
    b = _Builder()
    _addressee(b, op)
    b.para(
        f"(ч. 3, 4 ст. 12 {LAW}; направляется отдельно от уведомления о намерении "
        "осуществлять обработку персональных данных)"
    )
    b.para(
        "1. Оператор: ",
        b.value(op.full_name_ru, "наименование оператора"),
        ", адрес: ",
        b.value(op.legal_address_ru, "адрес"),
        "; уведомление о намерении осуществлять обработку персональных данных от ",
        b.value(_day(op.rkn_notification_sent_on), "дата уведомления по ст. 22"),
        " № ",
        b.value(op.rkn_notification_number, "номер уведомления по ст. 22"),
        " (п. 1 ч. 4 ст. 12).",
    )
    b.para(
        "2. Лицо, ответственное за организацию обработки персональных данных: ",
        b.value(op.responsible_name, "ФИО ответственного"),
        "; тел.: ",
        b.value(op.responsible_phone, "телефон"),
        "; почтовый адрес: ",
        b.value(op.responsible_postal_address or op.postal_address_ru, "почтовый адрес"),
        "; e-mail: ",
        b.value(op.responsible_email, "e-mail"),
        " (п. 2 ч. 4 ст. 12).",
    )
    purpose_text = notice.purpose_ru or "; ".join(p.title_ru for p in purposes.values())
    b.para(
        "3. Правовое основание и цель трансграничной передачи и дальнейшей обработки: ",
        b.value(notice.legal_basis_ru, "правовое основание передачи"),
        "; ",
        b.value(purpose_text, "цель передачи"),
        " (п. 3 ч. 4 ст. 12).",
    )
    data = sorted({DATA_ITEMS[k].ru for pr in processors for k in pr.data_items if k in DATA_ITEMS})
    b.para(
        "4. Категории и перечень передаваемых персональных данных: иные; ",
        b.value("; ".join(data), "перечень данных"),
        " (п. 4 ч. 4 ст. 12).",
    )
    subjects = "; ".join(
        sorted({p.subject_categories_ru for p in purposes.values() if p.subject_categories_ru})
    )
    b.para(
        "5. Категории субъектов: ", b.value(subjects, "категории субъектов"), " (п. 5 ч. 4 ст. 12)."
    )
    adequate = set(notice.adequate_countries.replace(" ", "").upper().split(","))
    countries = "; ".join(
        f"{country_term(c).ru} ({'включено' if c in adequate else 'не включено'} в перечень "
        "государств, обеспечивающих адекватную защиту прав субъектов)"
        for c in notice.covers()
    )
    b.para(
        "6. Перечень иностранных государств: ",
        b.value(countries, "государства"),
        (f" (перечень: {notice.adequacy_source})" if notice.adequacy_source else ""),
        " (п. 6 ч. 4 ст. 12).",
    )
    b.para(
        "7. Дата проведения оценки соблюдения получателями конфиденциальности и обеспечения "
        "безопасности персональных данных: ",
        b.value(_day(notice.assessment_date), "дата оценки"),
        " (п. 7 ч. 4 ст. 12).",
    )
    b.para(
        "Получатели (справочно): ",
        b.value(
            "; ".join(
                f"{p.name(RU)}, {p.address}" if p.address else p.name(RU) for p in processors
            ),
            "получатели",
        ),
        ".",
    )
    _signature(b, op)
    start = cross_border_may_start(notice_facts(notice))
    due = (
        f"передача возможна с {_day(start)}"
        if start
        else "передача невозможна до истечения срока (ч. 11 ст. 12)"
    )
    return _document(
        b,
        register,
        slug=f"cross-border-{notice.pk}",
        title="Уведомление о намерении осуществлять трансграничную передачу персональных данных",
        gloss_en="Notice of intended cross-border transfer",
        article="152-FZ Art. 12",
        due=due,
    )


@dataclass(frozen=True)
class AffectedCounts:
    persons: int
    identifiers: int
    by_category: dict[str, int]
    computed_at: datetime
    scope: str


IDENTIFIER_CATEGORIES = (DataCategory.EMAIL, DataCategory.PHONE)


def incident_affected_counts(incident: Incident, *, now: datetime | None = None) -> AffectedCounts:
    """How many people and identifiers the incident concerns, from the data, in one query.

    People in the incident's scope whose row existed when it happened, erased ones included
    when erased after it (their data were there when they leaked). Identifiers: the distinct
    e-mail addresses and phone numbers among them, for the categories that leaked; an erased
    person counts as one of each, since their values are gone.
    """
    moment = incident.occurred_at or incident.detected_at
    people = Person.objects.filter(created_at__lte=moment).filter(
        Q(erased_at__isnull=True) | Q(erased_at__gt=moment)
    )
    scope = "все субъекты, данные которых были в системе на момент инцидента"
    if incident.audience == Incident.Audience.CREATED_BETWEEN:
        people = people.filter(
            created_at__date__gte=incident.affected_from or date.min,
            created_at__date__lte=incident.affected_to or date.min,
        )
        scope = (
            f"субъекты, впервые записанные с {_day(incident.affected_from)} по "
            f"{_day(incident.affected_to)}"
        )
    erased = Q(erased_at__isnull=False)
    counts = people.aggregate(
        persons=Count("pk"),
        emails=Count("email", distinct=True),
        phones=Count("phone", distinct=True, filter=~Q(phone="")),
        erased=Count("pk", filter=erased),
        erased_no_email=Count("pk", filter=erased & Q(email__isnull=True)),
        erased_no_phone=Count("pk", filter=erased & Q(phone="")),
    )
    by_category: dict[str, int] = {}
    if DataCategory.EMAIL in incident.data_categories:
        by_category[DataCategory.EMAIL] = counts["emails"] + counts["erased_no_email"]
    if DataCategory.PHONE in incident.data_categories:
        by_category[DataCategory.PHONE] = counts["phones"] + counts["erased_no_phone"]
    return AffectedCounts(
        persons=counts["persons"],
        identifiers=sum(by_category.values()),
        by_category=by_category,
        computed_at=now or timezone.now(),
        scope=scope,
    )


def incident_notice(register: Register, incident: Incident, which: str) -> NoticeDocument:
    """The 24-hour notice of an incident, or the 72-hour one with the investigation's results
    (Art. 21 part 3.1 items 1 and 2), due from detection."""
    op = register.operator
    counts = incident_affected_counts(incident)
    first = which == "24h"
    due_at = incident_due(
        incident.detected_at,
        INCIDENT_FIRST_NOTICE_HOURS if first else INCIDENT_RESULTS_NOTICE_HOURS,
    )
    b = _Builder()
    _addressee(b, op)
    item = "п. 1" if first else "п. 2"
    hours = "24 часов" if first else "72 часов"
    b.para(
        f"({item} ч. 3.1 ст. 21 {LAW}; срок — в течение {hours} с момента выявления: до "
        f"{_moment(due_at)})"
    )
    b.para(
        "Оператор: ",
        b.value(op.full_name_ru, "наименование оператора"),
        ", ИНН ",
        b.value(op.inn, "ИНН"),
        ", адрес: ",
        b.value(op.legal_address_ru, "адрес"),
        "; регистрационный номер в реестре операторов: ",
        b.value(op.rkn_registry_number, "номер в реестре операторов"),
        ".",
    )
    categories = "; ".join(
        str(DataCategory(c).label) for c in incident.data_categories if c in DataCategory.values
    )
    count_line = (
        f"Количество субъектов персональных данных: {counts.persons}; количество уникальных "
        f"идентификаторов: {counts.identifiers} (расчёт по данным информационной системы на "
        f"{_moment(counts.computed_at)}; {counts.scope})."
    )
    if first:
        b.heading("1. Произошедший инцидент")
        b.para(b.value(incident.description, "описание инцидента"))
        b.para(
            "Дата и время инцидента: ",
            b.value(_moment(incident.occurred_at), "время инцидента"),
            ". Дата и время выявления: ",
            _moment(incident.detected_at),
            ".",
        )
        b.para(
            "Информационная система: ",
            b.value(incident.information_system, "информационная система"),
            ".",
        )
        b.para("Категории персональных данных: ", b.value(categories, "категории данных"), ".")
        b.para(count_line)
        b.heading("2. Предполагаемые причины, повлекшие нарушение прав субъектов")
        b.para(b.value(incident.presumed_causes, "предполагаемые причины"))
        b.heading("3. Предполагаемый вред, нанесённый правам субъектов")
        b.para(b.value(incident.presumed_harm, "предполагаемый вред"))
        b.heading("4. Принятые меры по устранению последствий инцидента")
        b.para(b.value(incident.measures_taken, "принятые меры"))
        b.heading(
            "5. Лицо, уполномоченное оператором на взаимодействие с уполномоченным "
            "органом по вопросам, связанным с инцидентом"
        )
        contact = incident.rkn_contact or ", ".join(
            x
            for x in (
                op.responsible_name,
                op.responsible_position,
                op.responsible_phone,
                op.responsible_email,
            )
            if x
        )
        b.para(b.value(contact, "контактное лицо"))
    else:
        b.para(
            "Первичное уведомление: направлено ",
            b.value(_moment(incident.authority_notified_at), "дата первичного уведомления"),
            (
                f", номер: {incident.rkn_incident_reference}"
                if incident.rkn_incident_reference
                else ""
            ),
            ".",
        )
        b.heading("1. Результаты внутреннего расследования")
        b.para(b.value(incident.investigation_results, "результаты расследования"))
        b.para(count_line)
        b.heading("2. Сведения о лицах, действия которых стали причиной инцидента")
        b.para(incident.responsible_persons or "Не установлены.")
    _signature(b, op)
    return _document(
        b,
        register,
        slug=f"incident-{incident.pk}-{which}",
        title=(
            "Уведомление о факте неправомерной или случайной передачи (предоставления, "
            "распространения, доступа) персональных данных, повлекшей нарушение прав субъектов "
            "персональных данных"
            if first
            else "Уведомление о результатах внутреннего расследования выявленного инцидента"
        ),
        gloss_en=(
            "Incident notice within 24 hours" if first else "Investigation results within 72 hours"
        ),
        article="152-FZ Art. 21 part 3.1",
        due=f"до {_moment(due_at)}",
    )


def notice_docx(document: NoticeDocument) -> bytes:
    """The same notice as an editable Word document, for the officer to finish and sign."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    banner = doc.add_paragraph()
    run = banner.add_run(document.banner_ru)
    run.bold = True
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    doc.add_paragraph().add_run(document.banner_en).italic = True
    doc.add_heading(document.title, level=1)
    for block in document.blocks:
        if block.kind == "heading":
            doc.add_heading(block.parts[0].text, level=2)
        elif block.kind == "table":
            table = doc.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
        else:
            paragraph = doc.add_paragraph()
            for part in block.parts:
                run = paragraph.add_run(part.text)
                run.bold = part.bold
                if part.missing:
                    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
