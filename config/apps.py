from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class TerugbelAdminConfig(AdminConfig):
    default_site = "config.admin.TerugbelAdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes under a name managers understand in the admin."""

    verbose_name = _("Login lockouts")
