from django.urls import path

from telephony.views.webhook import webhook, webhook_sipgate

app_name = "telephony"

urlpatterns = [
    # The token is the address: a PBX configured for Zammad only needs this URL (docs/PHONE.md).
    path("<str:token>/", webhook, name="webhook"),
    # sipgate.io wants its newCall answered in XML naming where to send the call's answer and hangup.
    path("<str:token>/sipgate/", webhook_sipgate, name="webhook_sipgate"),
]
