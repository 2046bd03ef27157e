from django.urls import path

from callbacks.views import intake

app_name = "callbacks"

urlpatterns = [
    path("new/", intake.IntakeWizard.as_view(), name="intake"),
    path("new/status/", intake.intake_status, name="intake_status"),
]
