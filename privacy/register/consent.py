"""Consent texts from the register, and the checker of 152-FZ Art. 9 part 4.

The generator writes each purpose's consent in Russian and English from the register; the
checker reads any consent text (generated or written by hand) and lists the items of Art. 9
part 4 it lacks, against the register as it stands. Both work on plain text: the checker looks
for what the register says must be there, after normalising quotes, dashes and case, so
«Лидген» and "Лидген" are the same name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from privacy.register.models import ProcessingPurpose, Processor
from privacy.register.seams import LanguageText
from privacy.register.selectors import Register
from privacy.register.vocabulary import (
    ACTIONS,
    CHANNELS,
    DATA_ITEMS,
    EN,
    LANGUAGES,
    METHODS,
    RU,
    country_term,
)

GAP = "gap"
ADVISORY = "advisory"
MISSING_RU = "[НЕ ЗАПОЛНЕНО: {what}]"
MISSING_EN = "[MISSING: {what}]"


@dataclass(frozen=True)
class Finding:
    """One item of Art. 9 a consent text lacks (a gap) or should be looked at (advisory)."""

    code: str
    article: str
    status: str
    language: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.status == GAP


# -- the generator ---------------------------------------------------------------------------


def _missing(language: str, what: str) -> str:
    return (MISSING_RU if language == RU else MISSING_EN).format(what=what)


def _or_missing(value: str, language: str, what: str) -> str:
    return value.strip() or _missing(language, what)


def _join(labels: list[str]) -> str:
    return "; ".join(labels)


def operator_name(register: Register, language: str) -> str:
    op = register.operator
    if language == RU:
        return op.full_name_ru or op.short_name_ru
    return op.name_en or op.full_name_ru


def operator_address(register: Register, language: str) -> str:
    op = register.operator
    return op.legal_address_ru if language == RU else (op.address_en or op.legal_address_ru)


def _processor_line(processor: Processor, language: str) -> str:
    countries = ", ".join(country_term(c).label(language) for c in processor.countries() if c)
    name = _or_missing(
        processor.name(language), language, "name" if language == EN else "наименование"
    )
    address = _or_missing(processor.address, language, "address" if language == EN else "адрес")
    why = processor.why_ru if language == RU else processor.why_en
    if language == RU:
        line = f"{name}, адрес: {address} ({countries or _missing(RU, 'страна')})"
    else:
        line = f"{name}, address: {address} ({countries or _missing(EN, 'country')})"
    return f"{line} — {why}" if why else line


def _cross_border_sentence(processors: list[Processor], language: str) -> str:
    foreign = [p for p in processors if p.is_cross_border]
    if not foreign:
        if language == RU:
            return "Трансграничная передача персональных данных не осуществляется."
        return "No cross-border transfer of personal data takes place."
    codes: list[str] = []
    for processor in foreign:
        codes += [c for c in processor.foreign_countries() if c and c not in codes]
    countries = ", ".join(country_term(c).label(language) for c in codes) or _missing(
        language, "страна" if language == RU else "country"
    )
    if language == RU:
        return (
            "Осуществляется трансграничная передача персональных данных лицам, указанным в "
            f"настоящем пункте, на территорию: {countries}."
        )
    return (
        "Personal data are transferred cross-border to the persons named in this item, to: "
        f"{countries}."
    )


def consent_text(*, purpose: ProcessingPurpose, register: Register, language: str) -> LanguageText:
    """The consent to one purpose, in one language, from the register (Art. 9 parts 1 and 4)."""
    ru = language == RU
    op = register.operator
    what = lambda r, e: r if ru else e  # noqa: E731 (a label in the text's language)
    name = _or_missing(
        operator_name(register, language),
        language,
        what("наименование оператора", "operator's name"),
    )
    short = op.short_name_ru if ru else (op.name_en or op.short_name_ru)
    address = _or_missing(
        operator_address(register, language),
        language,
        what("адрес оператора", "operator's address"),
    )
    inn = _or_missing(op.inn, language, what("ИНН", "INN"))
    ogrn = _or_missing(op.ogrn, language, what("ОГРН", "OGRN"))
    title_text = _or_missing(purpose.title(language), language, what("цель", "purpose"))
    data = _join([DATA_ITEMS[k].label(language) for k in purpose.data_items if k in DATA_ITEMS])
    data = _or_missing(data, language, what("перечень данных", "list of data"))
    actions = _join([ACTIONS[k].label(language) for k in purpose.actions if k in ACTIONS])
    actions = _or_missing(actions, language, what("действия", "actions"))
    methods = METHODS[purpose.methods].label(language)
    processors = [p for p in register.processors_of(purpose) if p.role == Processor.Role.PROCESSOR]
    recipients = [p for p in register.processors_of(purpose) if p.role == Processor.Role.RECIPIENT]
    if processors:
        processor_text = "; ".join(_processor_line(p, language) for p in processors)
    else:
        processor_text = what(
            "обработка персональных данных третьим лицам не поручается",
            "processing is not entrusted to anyone else",
        )
    term = _or_missing(
        purpose.consent_term_ru if ru else purpose.consent_term_en,
        language,
        what("срок согласия", "term of consent"),
    )
    retention = _or_missing(
        purpose.retention_ru if ru else purpose.retention_en,
        language,
        what("срок хранения", "storage term"),
    )
    destruction = _or_missing(
        purpose.destruction_ru if ru else purpose.destruction_en,
        language,
        what("способ уничтожения", "destruction"),
    )
    contact = op.contact_email
    postal = op.postal_address_ru or op.legal_address_ru
    responsible = _or_missing(
        op.responsible_name, language, what("ответственное лицо", "responsible person")
    )
    responsible_contact = ", ".join(x for x in (op.responsible_phone, op.responsible_email) if x)
    if ru:
        title = "Согласие на обработку персональных данных"
        lines = [
            f"**Цель обработки: {title_text}**",
            "",
            f"Проставляя отметку в поле согласия в форме на сайте {register.site_url}, я, субъект "
            "персональных данных, указавший(-ая) свои данные в этой форме, действуя свободно, "
            "своей волей и в своём интересе, даю конкретное, предметное, информированное, "
            "сознательное и однозначное согласие оператору — "
            f"{name} ({short}, ИНН {inn}, ОГРН {ogrn}), адрес: {address} (далее — Оператор), "
            "на обработку моих персональных данных на следующих условиях.",
            "",
            f"1. **Цель обработки:** {title_text}.",
            f"2. **Перечень персональных данных, на обработку которых даётся согласие:** {data}.",
            f"3. **Перечень действий с персональными данными:** {actions}. "
            f"**Общее описание способов обработки:** {methods}.",
            f"4. **Лица, осуществляющие обработку персональных данных по поручению Оператора:** "
            f"{processor_text}. {_cross_border_sentence(processors + recipients, RU)}",
        ]
        if recipients:
            lines.append(
                "   **Персональные данные предоставляются:** "
                + "; ".join(_processor_line(p, RU) for p in recipients)
                + "."
            )
        lines += [
            f"5. **Срок действия согласия:** {term}. Персональные данные хранятся {retention}; "
            f"по истечении этого срока или по достижении цели обработки они уничтожаются "
            f"({destruction}) в срок, не превышающий 30 (тридцати) дней.",
            "6. **Способ отзыва согласия.** Я вправе отозвать настоящее согласие в любое время, "
            f"направив Оператору заявление через страницу {register.rights_url}, на адрес "
            f"электронной почты {contact} либо почтовым отправлением по адресу {postal}. "
            "В случае отзыва согласия Оператор прекращает обработку персональных данных и "
            "уничтожает их в срок, не превышающий 30 (тридцати) дней с даты поступления отзыва, "
            "если Оператор не вправе продолжить обработку без согласия по основаниям, "
            "предусмотренным Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных».",
        ]
        if purpose.direct_marketing:
            channels = _join([CHANNELS[c].label(RU) for c in purpose.channels if c in CHANNELS])
            lines.append(
                "7. **Способы связи:** "
                + _or_missing(channels, RU, "каналы связи")
                + ". Согласие даётся предварительно в соответствии с ч. 1 ст. 15 Федерального "
                "закона «О персональных данных» и ч. 1 ст. 18 Федерального закона «О рекламе»; "
                "я могу отказаться от сообщений в любой момент по ссылке в каждом из них."
            )
        lines.append(
            "8. Настоящее согласие оформлено отдельно от иных документов. С политикой Оператора "
            f"в отношении обработки персональных данных можно ознакомиться по адресу "
            f"{register.policy_url}. Лицо, ответственное за организацию обработки персональных "
            f"данных: {responsible}"
            + (f", {responsible_contact}" if responsible_contact else "")
            + "."
        )
    else:
        title = "Consent to the processing of personal data"
        lines = [
            f"**Purpose of processing: {title_text}**",
            "",
            f"By ticking the consent box in the form on {register.site_url}, I, the data subject "
            "who entered my data in that form, acting freely, of my own will and in my own "
            "interest, give a specific, subject-matter-bound, informed, conscious and unambiguous "
            f"consent to the operator — {name} ({short}, INN {inn}, OGRN {ogrn}), address: "
            f'{address} (the "Operator") — to process my personal data on the following terms.',
            "",
            f"1. **Purpose of processing:** {title_text}.",
            f"2. **Personal data covered by this consent:** {data}.",
            f"3. **Actions with the personal data:** {actions}. "
            f"**General description of the processing methods:** {methods}.",
            f"4. **Persons processing personal data on the Operator's instruction:** "
            f"{processor_text}. {_cross_border_sentence(processors + recipients, EN)}",
        ]
        if recipients:
            lines.append(
                "   **Personal data are provided to:** "
                + "; ".join(_processor_line(p, EN) for p in recipients)
                + "."
            )
        lines += [
            f"5. **Term of this consent:** {term}. The data are stored {retention}; when that "
            f"term expires or the purpose is achieved they are destroyed ({destruction}) within "
            "30 (thirty) days.",
            "6. **How to withdraw.** I may withdraw this consent at any time by sending the "
            f"Operator a request through {register.rights_url}, to {contact}, or by post to "
            f"{postal}. On withdrawal the Operator stops processing and destroys the data within "
            "30 (thirty) days of receiving it, unless Federal Law No. 152-FZ of 27.07.2006 "
            '"On Personal Data" allows the Operator to continue without consent.',
        ]
        if purpose.direct_marketing:
            channels = _join([CHANNELS[c].label(EN) for c in purpose.channels if c in CHANNELS])
            lines.append(
                "7. **Channels:** "
                + _or_missing(channels, EN, "channels")
                + '. This prior consent is given under Art. 15 part 1 of the Federal Law "On '
                'Personal Data" and Art. 18 part 1 of the Federal Law "On Advertising"; I may '
                "stop the messages at any time by the link in each of them."
            )
        lines.append(
            "8. This consent is a document separate from any other. The Operator's personal "
            f"data processing policy is at {register.policy_url}. Person responsible for "
            f"organising the processing of personal data: {responsible}"
            + (f", {responsible_contact}" if responsible_contact else "")
            + "."
        )
    return LanguageText(title=title, body="\n".join(lines) + "\n")


def consent_texts(*, purpose: ProcessingPurpose, register: Register) -> dict[str, LanguageText]:
    return {
        language: consent_text(purpose=purpose, register=register, language=language)
        for language in LANGUAGES
    }


# -- the checker -----------------------------------------------------------------------------

_QUOTES = str.maketrans({c: '"' for c in "«»“”„\"'‹›‘’"} | {c: "-" for c in "‐‑–—−"})


def normalise(text: str) -> str:
    """Fold what does not change meaning: case, ё, quotes, dashes, spaces, Markdown marks."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    text = text.translate(_QUOTES).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


_OTHER_DOCUMENT = {
    RU: re.compile(
        r"принима\w*\s+(услови|политик|оферт|пользовательск|правил)"
        r"|соглаша\w*\s+с\s+(услови|политик|оферт|правил)"
        r"|ознакомлен\w*\s+и\s+согла\w*"
    ),
    EN: re.compile(
        r"\bi\s+(accept|agree\s+to|agree\s+with)\s+the\s+(terms|privacy\s+policy|policy|offer)"
    ),
}
_OPEN_ENDED = {
    RU: re.compile(
        r"в том числе,? но не ограничиваясь|любы[ех] (действи|цел)|иные цели|и иных целях"
        r"|любым (законным )?способом"
    ),
    EN: re.compile(
        r"including but not limited to|any (lawful )?purpose|any other purpose|any means"
    ),
}
_TERM = {
    RU: re.compile(
        r"(в течение|на срок)\s+\d+\s*(\(\w+\)\s*)?(дн|календарн|рабоч|месяц|год|лет)"
        r"|до\s+(его\s+|ее\s+|моего\s+)?отзыва"
    ),
    EN: re.compile(r"for \d+ (\(\w+\) )?(days|months|years)|until (it is )?withdrawn"),
}
_WITHDRAW = {RU: ("отзыв", "отозва"), EN: ("withdraw",)}
_CROSS_BORDER = {RU: "трансграничн", EN: "cross-border"}
_SELF_IDENTIFY = {RU: re.compile(r"в форме"), EN: re.compile(r"in (that|the) form")}
_ACT = {RU: "отметк", EN: "tick"}


def _has(text: str, *needles: str) -> bool:
    return any(normalise(needle) in text for needle in needles if needle.strip())


def consent_check(
    *, text: str, language: str, purpose: ProcessingPurpose, register: Register
) -> list[Finding]:
    """The items of Art. 9 (part 4 and part 1) this consent text lacks, for this purpose."""
    found: list[Finding] = []
    body = normalise(text)

    def gap(code: str, article: str, message: str, status: str = GAP) -> None:
        found.append(Finding(code, article, status, language, message))

    if "[не заполнено:" in body or "[missing:" in body:
        gap("register", "9.4", _("The text still has fields the register left empty."))
    if purpose.written_consent_required:
        for code in ("9.4.1", "9.4.9"):
            gap(
                code,
                f"Art. 9 part 4 item {code[-1]}",
                _(
                    "This purpose needs a written consent signed with an electronic signature; a "
                    "ticked box cannot satisfy Art. 9 part 4."
                ),
            )
    elif not _SELF_IDENTIFY[language].search(body) or _ACT[language] not in body:
        gap(
            "9.4.9",
            "Art. 9 part 4 items 1, 9",
            _(
                "The text does not say that the person identifies themselves by the form and gives "
                "consent by ticking the box."
            ),
            ADVISORY,
        )
    # Item 3: the operator's name, address and INN.
    op = register.operator
    names = [operator_name(register, language), op.full_name_ru, op.short_name_ru]
    lacking = []
    if not any(n for n in names) or not _has(body, *names):
        lacking.append(_("name"))
    if not operator_address(register, language) or not _has(
        body, operator_address(register, language)
    ):
        lacking.append(_("address"))
    if not op.inn or op.inn not in body:
        lacking.append(_("INN"))
    if lacking:
        gap(
            "9.4.3",
            "Art. 9 part 4 item 3",
            _("The operator's %(what)s is missing.") % {"what": ", ".join(str(x) for x in lacking)},
        )
    # Item 4: the purpose, named as the register names it.
    if not _has(body, purpose.title(language)):
        gap("9.4.4", "Art. 9 part 4 item 4", _("The purpose is not named as in the register."))
    for other in register.purposes:
        if (
            other.pk != purpose.pk
            and other.active
            and len(other.title(language)) > 20
            and _has(body, other.title(language))
        ):
            gap(
                "9.4.4",
                "Art. 9 part 1",
                _("It also names the purpose “%(other)s”: one consent per purpose.")
                % {"other": other.title(language)},
                ADVISORY,
            )
    # Item 5: every item of data the purpose processes.
    missing_data = [
        DATA_ITEMS[key].label(language)
        for key in purpose.data_items
        if key in DATA_ITEMS and not _has(body, *DATA_ITEMS[key].needles(language))
    ]
    if missing_data or not purpose.data_items:
        gap(
            "9.4.5",
            "Art. 9 part 4 item 5",
            _("Personal data not listed: %(items)s.")
            % {"items": "; ".join(missing_data) or _("the register lists none")},
        )
    # Item 6: each processor by name and address; a foreign one with its country.
    processors = [p for p in register.processors_of(purpose) if p.role == Processor.Role.PROCESSOR]
    for processor in processors:
        if (
            not processor.address.strip()
            or not _has(body, processor.name(language))
            or not _has(body, processor.address)
        ):
            gap(
                "9.4.6",
                "Art. 9 part 4 item 6; Art. 6 part 3",
                _("The processor %(name)s is not named with its address.") % {"name": processor},
            )
        if processor.is_cross_border:
            countries = [country_term(c) for c in processor.foreign_countries() if c]
            if (
                not countries
                or not all(_has(body, *c.needles(language)) for c in countries)
                or _CROSS_BORDER[language] not in body
            ):
                gap(
                    "9.4.6",
                    "Art. 9 part 4 item 6; Art. 12",
                    _("%(name)s is abroad: name its country and say the transfer is cross-border.")
                    % {"name": processor},
                )
    # Item 7: the actions and the methods.
    missing_actions = [
        ACTIONS[key].label(language)
        for key in purpose.actions
        if key in ACTIONS and not _has(body, *ACTIONS[key].needles(language))
    ]
    if missing_actions or not purpose.actions:
        gap(
            "9.4.7a",
            "Art. 9 part 4 item 7",
            _("Actions not listed: %(items)s.")
            % {"items": "; ".join(missing_actions) or _("the register lists none")},
        )
    if register.processors_of(purpose) and "transfer" not in purpose.actions:
        gap(
            "9.4.7a",
            "Art. 9 part 4 item 7",
            _("The purpose has processors or recipients, so its actions must include transfer."),
        )
    if not _has(body, *METHODS[purpose.methods].needles(language)):
        gap("9.4.7b", "Art. 9 part 4 item 7", _("The methods of processing are not described."))
    # Item 8: the term and how to withdraw.
    register_term = purpose.consent_term_ru if language == RU else purpose.consent_term_en
    if register_term.strip() and _has(body, register_term):
        pass
    elif _TERM[language].search(body):
        gap(
            "9.4.8a",
            "Art. 9 part 4 item 8",
            _("The text gives a term, but not the one in the register."),
            ADVISORY,
        )
    else:
        gap("9.4.8a", "Art. 9 part 4 item 8", _("The term of the consent is missing."))
    channels = [op.contact_email, register.rights_url, "/privacy/requests/", op.postal_address_ru]
    if not any(stem in body for stem in _WITHDRAW[language]) or not _has(body, *channels):
        gap(
            "9.4.8b",
            "Art. 9 part 4 item 8",
            _(
                "How to withdraw is missing: say it can be withdrawn and give an address or the "
                "requests page."
            ),
        )
    # Part 1 (since 1 September 2025): a document of its own, accepting nothing else.
    if _OTHER_DOCUMENT[language].search(body):
        gap(
            "9.1.sep",
            "Art. 9 part 1",
            _(
                "The text also accepts another document (policy, terms, offer); consent must be "
                "separate from them. Linking the policy for information is fine."
            ),
        )
    if _OPEN_ENDED[language].search(body):
        gap(
            "9.1.spec",
            "Art. 9 part 1",
            _(
                "Open-ended words (“including but not limited to”, “any purpose”): consent must be "
                "specific."
            ),
            ADVISORY,
        )
    if "distribution" in purpose.actions:
        gap(
            "10.1",
            "Art. 10.1",
            _("Data allowed for distribution need a separate consent of their own (Art. 10.1)."),
        )
    if purpose.direct_marketing:
        named = [
            c
            for c in purpose.channels
            if c in CHANNELS and _has(body, *CHANNELS[c].needles(language))
        ]
        if not named:
            gap(
                "15.1",
                "152-FZ Art. 15 part 1; Advertising Law Art. 18 part 1",
                _(
                    "A marketing consent must name how people will be contacted (e-mail, SMS, "
                    "phone)."
                ),
            )
    return found
