"""The colleague's and receptionist's pages under /callbacks/, the manager's under /dashboard/."""

from django.urls import path

from callbacks.views import (
    callers,
    dashboard,
    desk,
    intake,
    policies,
    privacy,
    promise_preview,
    search,
    statistics,
    work,
    worklist,
)

callback_patterns = (
    [
        path("", worklist.callback_list, name="list"),
        path("badge/", worklist.callback_badge, name="badge"),
        path("notifications/", work.notification_inbox, name="inbox"),
        path("desk/", desk.desk, name="desk"),
        path("search/", search.search, name="search"),
        path("new/", intake.call_new, name="intake"),
        path("new/status/", intake.intake_status, name="intake_status"),
        path("new/promise-sentence/", promise_preview.promise_sentence, name="intake_promise_sentence"),
        path("new/caller/", callers.caller_known, name="caller_known"),
        path("call/<uuid:call_token>/discard/", desk.call_discard, name="call_discard"),
        path("call/<uuid:call_token>/<slug:step>/", intake.call_step, name="call_step"),
        path("<int:pk>/", work.callback_detail, name="detail"),
        path("<int:pk>/attempt/", work.callback_attempt, name="attempt"),
        path("<int:pk>/handle/", work.callback_handle, name="handle"),
        path("<int:pk>/reassign/", work.callback_reassign, name="reassign"),
        path("<int:pk>/follow-up/", work.callback_follow_up, name="follow_up"),
        path("<int:pk>/correct/", work.callback_correct, name="correct"),
    ],
    "callbacks",
)

dashboard_patterns = (
    [
        path("", dashboard.dashboard, name="index"),
        path("live/", dashboard.dashboard_live, name="live"),
        path("statistics/", statistics.statistics_page, name="statistics"),
        path("statistics.csv", statistics.statistics_csv, name="statistics_csv"),
        path("messages.csv", statistics.messages_csv, name="messages_csv"),
        path("policies/", policies.policy_index, name="policies"),
        path("policies/<int:team_id>/", policies.team_policy, name="team_policy"),
        path("phone-duty/", policies.phone_duty, name="phone_duty"),
        path("privacy/", privacy.privacy, name="privacy"),
        path("privacy/caller/", privacy.privacy_caller, name="privacy_caller"),
        path("privacy/caller/export/", privacy.privacy_export, name="privacy_export"),
    ],
    "dashboard",
)
