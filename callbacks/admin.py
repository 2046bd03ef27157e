"""The outbox in the admin: notifications and the jobs' heartbeats, read-only, for managers.

A stuck outbox shows here (state, failed attempts, last error, next try) without a shell; a manager can
send a waiting notification again now. Nobody adds, edits or deletes rows by hand.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import ReadOnlyAdmin
from accounts.roles import MANAGE_OFFICE
from callbacks.models import Heartbeat, Notification
from callbacks.services.retries import notifications_retry


class ReadOnlyForManagers(ReadOnlyAdmin):
    def may_read(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(f"accounts.{MANAGE_OFFICE}")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyForManagers):
    list_display = (
        "created_at",
        "kind",
        "channel",
        "state",
        "addressee",
        "failures",
        "not_before",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "kind", "channel")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    actions = ("retry",)
    fields = (
        "kind",
        "channel",
        "state",
        "recipient",
        "address",
        "language",
        "message",
        "created_at",
        "claimed_at",
        "sent_at",
        "read_at",
        "not_before",
        "failures",
        "last_error",
    )

    @admin.display(description=_("to"))
    def addressee(self, notification: Notification) -> str:
        return str(notification.recipient) if notification.recipient_id else notification.address

    @admin.action(description=_("Send again now"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        count = notifications_retry(ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        self.message_user(
            request,
            ngettext(
                "%(count)d notification will be sent again now.",
                "%(count)d notifications will be sent again now.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_retry_permission(self, request) -> bool:
        return self.may_read(request)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyForManagers):
    list_display = ("name", "last_run_at", "last_count")
    ordering = ("name",)
