"""The manager's pages under /dashboard/."""

from django.urls import path

from callbacks.views import dashboard, policies, statistics

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.dashboard, name="index"),
    path("live/", dashboard.dashboard_live, name="live"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics.csv", statistics.statistics_csv, name="statistics_csv"),
    path("messages.csv", statistics.messages_csv, name="messages_csv"),
    path("policies/", policies.policy_index, name="policies"),
    path("policies/<int:team_id>/", policies.team_policy, name="team_policy"),
    path("phone-duty/", policies.phone_duty, name="phone_duty"),
]
