from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from callbacks.urls import callback_patterns, dashboard_patterns

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("callbacks/", include(callback_patterns)),
    path("dashboard/", include(dashboard_patterns)),
    path("admin/", admin.site.urls),
]
