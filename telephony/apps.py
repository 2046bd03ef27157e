from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """The office's phone system: calls reported to /cti/<token>/ (Zammad's generic CTI push API).

    It writes through callbacks' services and reads through its selectors; callbacks never imports it
    (.importlinter). Pages of callbacks reach it by URL name only (htmx fragments), and the privacy page
    reaches its call log through callbacks.signals, connected here."""

    name = "telephony"
    verbose_name = _("Phone system")

    def ready(self) -> None:
        from callbacks.signals import caller_erased, caller_export_requested

        caller_erased.connect(_caller_erased, dispatch_uid="telephony.caller_erased")
        caller_export_requested.connect(_caller_export_requested, dispatch_uid="telephony.caller_export_requested")


def _caller_erased(sender: object, *, numbers: list[str], now: datetime, **kwargs: object) -> int:
    from telephony.services.privacy import phone_calls_erase

    return phone_calls_erase(numbers=numbers, now=now)


def _caller_export_requested(sender: object, *, numbers: list[str], **kwargs: object) -> list:
    from telephony.selectors.privacy import phone_calls_export

    return phone_calls_export(numbers=numbers)
