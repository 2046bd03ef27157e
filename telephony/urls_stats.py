"""The missed calls in the manager's statistics, under /dashboard/phone-statistics/ (namespace "phonestats")."""

from django.urls import path

from telephony.views import statistics

app_name = "phonestats"

urlpatterns = [
    path("", statistics.statistics_section, name="section"),
    path("missed-calls.csv", statistics.missed_calls_csv, name="missed_calls_csv"),
]
