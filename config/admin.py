from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
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

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Logging in goes through the site's own page, with its delays and its second step.

        A logged-in user without admin rights still sees the admin's "not authorised" page here
        (sending them to the login page, which sends logged-in users on, would loop)."""
        if request.method == "GET" and request.user.is_authenticated:
            return super().login(request, extra_context)
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))
