from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """The office's phone system: calls reported to /cti/<token>/ (Zammad's generic CTI push API).

    It writes through callbacks' services and reads through its selectors; callbacks never imports it
    (.importlinter). Pages of callbacks reach it by URL name only (htmx fragments)."""

    name = "telephony"
    verbose_name = _("Phone system")
