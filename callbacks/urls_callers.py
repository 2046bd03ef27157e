"""One page per caller (callbacks/views/caller_page.py): by the office's caller id, or by number (E.164)."""

from django.urls import path

from callbacks.views import caller_page

caller_patterns = (
    [
        path("<int:caller_id>/", caller_page.caller_detail, name="detail"),
        path("<int:caller_id>/unlink/", caller_page.caller_unlink, name="unlink"),
        path("number/<str:number>/", caller_page.caller_by_number, name="by_number"),
        path("number/<str:number>/link/", caller_page.caller_link, name="link"),
    ],
    "callers",
)
