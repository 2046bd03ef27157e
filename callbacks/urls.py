from django.urls import path

from callbacks.views import intake, work

app_name = "callbacks"

urlpatterns = [
    path("", work.callback_list, name="list"),
    path("badge/", work.callback_badge, name="badge"),
    path("notifications/", work.notification_inbox, name="inbox"),
    path("new/", intake.IntakeWizard.as_view(), name="intake"),
    path("new/status/", intake.intake_status, name="intake_status"),
    path("<int:pk>/", work.callback_detail, name="detail"),
    path("<int:pk>/attempt/", work.callback_attempt, name="attempt"),
    path("<int:pk>/handle/", work.callback_handle, name="handle"),
    path("<int:pk>/reassign/", work.callback_reassign, name="reassign"),
    path("<int:pk>/follow-up/", work.callback_follow_up, name="follow_up"),
    path("<int:pk>/correct/", work.callback_correct, name="correct"),
]
