"""E-mails as people read them: each message rendered in its language, with its links."""

from __future__ import annotations

from anymail.message import AnymailMessage
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from privacy.outbox.gate import MARKETING_KINDS
from privacy.outbox.models import Message, MessageKind
from privacy.people.links import CONFIRM_CONSENT, RECONSENT, UNSUBSCRIBE


def message_render(message: Message) -> AnymailMessage:
    """Build the e-mail in the person's language from templates/emails/<kind>.*"""
    context = {
        **message.context,
        "message": message,
        "person": message.person,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "privacy_contact_email": settings.PRIVACY_CONTACT_EMAIL,
        # The policy in the language of the message, whatever the browser that opens it says.
        "policy_url": f"{settings.SITE_URL}{reverse('privacy:policy')}?lang={message.language}",
        # Every e-mail to a person shows the way to their rights (clause 6.1.2); staff alerts,
        # which go to staff, do not.
        "rights_url": ""
        if message.kind == MessageKind.STAFF_ALERT
        else settings.SITE_URL + reverse("privacy:requests"),
    }
    # A message written in several languages (a breach notice) carries each one's own values.
    by_language = message.context.get("by_language") or {}
    context.update(by_language.get(message.language) or {})
    receipt_token = message.context.get("receipt_token")
    if receipt_token:
        context["receipt_url"] = settings.SITE_URL + reverse(
            "privacy:receipt_page", kwargs={"token": receipt_token}
        )
    headers = {}
    purpose = MARKETING_KINDS.get(message.kind)
    if purpose is not None and message.person is not None:
        link = UNSUBSCRIBE.url(p=message.person.pk, u=purpose)
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    if message.kind == MessageKind.DOUBLE_OPT_IN:
        context["confirm_url"] = CONFIRM_CONSENT.url(
            p=message.person_id, u=message.context.get("purposes", []), m=message.pk
        )
    if message.context.get("reconsent_policy_version") and message.person is not None:
        context["reconsent_url"] = RECONSENT.url(
            p=message.person_id,
            u=message.context.get("reconsent_purposes", []),
            v=message.context["reconsent_policy_version"],
        )
        context.update(_changed_version(message))
    with translation.override(message.language):
        base = f"emails/{message.kind}"
        if message.kind == MessageKind.STAFF_ALERT and message.context.get("alert"):
            base = f"emails/staff_alert_{message.context['alert']}"  # e.g. overdue blocks
        subject = render_to_string(f"{base}_subject.txt", context).strip().replace("\n", " ")
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    email = AnymailMessage(subject=subject, body=text, to=[message.recipient()], headers=headers)
    email.attach_alternative(html, "text/html")
    # Lets provider events and support staff find the row; also our idempotency key.
    email.metadata = {"message_id": str(message.pk), "kind": message.kind}
    email.tags = [message.kind]
    for name, content, mimetype in message_attachments(message):
        email.attach(name, content, mimetype)
    return email


def _changed_version(message: Message) -> dict[str, object]:
    """The materially changed version a re-consent notice is about, in the message's language:
    its title, number, date, link, and the summary of changes written for that language."""
    from privacy.documents.models import DocumentVersion

    version = (
        DocumentVersion.objects.published()
        .prefetch_related("texts")
        .filter(pk=message.context["reconsent_policy_version"])
        .first()
    )
    if version is None:
        return {}
    text = version.text(message.language)
    if text is None:
        return {}
    return {
        "changed_version": version,
        "changed_text": text,
        "changed_url": settings.SITE_URL + version.get_absolute_url(text.language),
    }


def message_attachments(message: Message) -> list[tuple[str, str, str]]:
    receipt_token = message.context.get("receipt_token")
    if message.kind != MessageKind.ACKNOWLEDGMENT or not receipt_token:
        return []
    import json

    from privacy.consent.models import ConsentReceipt
    from privacy.consent.receipts import receipt_as_dict

    receipt = ConsentReceipt.objects.filter(token=receipt_token).first()
    if receipt is None:
        return []
    body = json.dumps(receipt_as_dict(receipt), ensure_ascii=False, indent=2)
    return [("consent-receipt.json", body, "application/json")]
