from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from accounts import views as account_views
from callbacks.urls import callback_patterns, dashboard_patterns
from callbacks.urls_callers import caller_patterns


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Pages without base.html's icon link (the admin's) make browsers ask for /favicon.ico.

    The address is worked out per request: in production it names the hashed file of collectstatic's
    manifest, which does not exist yet when this module is imported by collectstatic itself."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("callbacks/", include(callback_patterns)),
    path("callers/", include(caller_patterns)),
    path("dashboard/", include(dashboard_patterns)),
    path("dashboard/phone-statistics/", include("telephony.urls_stats")),
    path("dashboard/phone/", include("telephony.urls_manage")),
    path("phone/", include("telephony.urls_live")),
    path("cti/", include("telephony.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
]
