from django.urls import path

from telephony.views.webhook import webhook

app_name = "telephony"

urlpatterns = [
    # The token is the address: a PBX configured for Zammad only needs this URL (docs/PHONE.md).
    path("<str:token>/", webhook, name="webhook"),
]
