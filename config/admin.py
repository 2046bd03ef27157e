from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGE_OFFICE


class TerugbelAdminSite(admin.AdminSite):
    """The admin for managers: the manager role is enough, no separate staff flag."""

    site_header = _("Terugbel administration")
    site_title = _("Terugbel")
    index_title = _("Users, teams and absences")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or user.has_perm(f"accounts.{MANAGE_OFFICE}"))
