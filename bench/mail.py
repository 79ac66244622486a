"""anymail's test backend without its in-memory outbox, for long benchmark runs.

The test backend keeps every message in django.core.mail.outbox; over 100,000 sends that list
alone would dominate the worker's memory and hide what the application itself uses.
"""

from anymail.backends.test import EmailBackend as AnymailTestBackend


class EmailBackend(AnymailTestBackend):
    sent = 0

    def post_to_esp(self, payload, message):
        EmailBackend.sent += 1
        return {
            "recipient_status": {
                email: self._status(EmailBackend.sent) for email in payload.recipient_emails
            }
        }

    def _status(self, number):
        from anymail.message import AnymailRecipientStatus

        return AnymailRecipientStatus(message_id=str(number), status="sent")

    def get_esp_message_id(self, message):
        return str(EmailBackend.sent)
