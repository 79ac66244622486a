from __future__ import annotations

import pytest

from privacy.register.integrations import purposes_sync
from privacy.register.models import Operator, ProcessingPurpose, Processor


@pytest.fixture
def filled_register(db):
    """A register an officer has filled once: the operator, the code's purposes with their
    terms, and a processor abroad for the lead purpose (an e-mail provider in the USA)."""
    operator = Operator.load()
    operator.full_name_ru = "Общество с ограниченной ответственностью «Лидген»"
    operator.short_name_ru = "ООО «Лидген»"
    operator.name_en = "Lidgen LLC"
    operator.inn = "7707083893"
    operator.ogrn = "1027700132195"
    operator.legal_address_ru = "125009, г. Москва, ул. Тверская, д. 1"
    operator.address_en = "1 Tverskaya St., Moscow 125009, Russia"
    operator.postal_address_ru = "125009, г. Москва, а/я 15"
    operator.responsible_name = "Иванова Мария Петровна"
    operator.responsible_position = "руководитель службы защиты данных"
    operator.responsible_phone = "+7 495 000-00-00"
    operator.responsible_email = "dpo@leadgen.example"
    operator.subject_contact_email = "privacy@leadgen.example"
    operator.rkn_territorial_body = "Управления Роскомнадзора по ЦФО"
    operator.save()
    purposes_sync()
    for purpose in ProcessingPurpose.objects.all():
        purpose.subject_categories_ru = "лица, направившие заявку через форму на сайте"
        purpose.subject_categories_en = "people who sent a request through the form"
        purpose.legal_basis_ru = "согласие субъекта (п. 1 ч. 1 ст. 6)"
        purpose.consent_term_ru = "до достижения цели обработки, но не более 3 (трёх) лет"
        purpose.consent_term_en = (
            "until the purpose is achieved, but no longer than 3 (three) years"
        )
        purpose.retention_ru = "не более 3 (трёх) лет с даты последней заявки"
        purpose.retention_en = "no longer than 3 (three) years from the last request"
        purpose.destruction_ru = "удаление записей из базы данных без возможности восстановления"
        purpose.destruction_en = "deletion of the records from the database beyond recovery"
        purpose.save()
    esp = Processor.objects.create(
        name_en="Mail Sender Inc.",
        name_ru="Mail Sender Inc.",
        address="1 Market St, San Francisco, CA 94105, USA",
        country="US",
        why_ru="доставка электронных писем",
        why_en="delivers e-mails",
        data_items=["email", "account_name"],
    )
    esp.purposes.set(ProcessingPurpose.objects.filter(code="processing"))
    return operator
