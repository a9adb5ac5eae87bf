"""Sending SMS through a configurable backend (OWNERDESK["SMS_BACKEND"]).

The default `OutboxBackend` records each message in `SmsMessage` and sends nothing:
a deployment plugs in its provider's gateway by naming another backend class with
the same `send(phone, text)` method.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from core.models import SmsMessage


class OutboxBackend:
    def send(self, phone: str, text: str, company_id: int | None = None) -> SmsMessage:
        return SmsMessage.objects.create(
            company_id=company_id, phone=phone, text=text, backend=type(self).__name__
        )


def send_sms(*, phone: str, text: str, company_id: int | None = None) -> SmsMessage:
    backend = import_string(settings.OWNERDESK.get("SMS_BACKEND", "core.sms.OutboxBackend"))()
    return backend.send(phone, text, company_id)
