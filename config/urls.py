from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from callbacks.urls import callback_patterns, dashboard_patterns

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("callbacks/", include(callback_patterns)),
    path("dashboard/", include(dashboard_patterns)),
    path("admin/", admin.site.urls),
    # Pages without base.html's icon link (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True),
         name="favicon"),
]
