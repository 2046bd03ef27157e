"""The manager's phone-system pages under /dashboard/phone/ (namespace "phone")."""

from django.urls import path

from telephony.views import calls, manage

app_name = "phone"

urlpatterns = [
    path("", manage.phone_index, name="index"),
    path("new/", manage.phone_system_new, name="system_new"),
    path("<int:system_id>/", manage.phone_system_detail, name="system"),
    path("<int:system_id>/renew/", manage.phone_system_renew, name="system_renew"),
    path("<int:system_id>/revoke/", manage.phone_system_revoke_view, name="system_revoke"),
    path("<int:system_id>/routes/", manage.phone_route_new, name="route_new"),
    path("<int:system_id>/routes/<int:route_id>/delete/", manage.phone_route_delete, name="route_delete"),
    path("calls/", calls.phone_call_log, name="calls"),
    path("calls/<int:phone_call_id>/", calls.phone_call_detail, name="call"),
]
