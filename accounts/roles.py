"""The three roles of the office, as Django groups, and what each may do.

Pages check permissions, never group names, so a user holding several roles gets the
union of what they allow.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Receptionist")
    COLLEAGUE = "colleague", _("Colleague")
    MANAGER = "manager", _("Manager")


# Custom permissions declared on accounts.User (Meta.permissions).
TAKE_MESSAGES = "take_messages"
HANDLE_CALLBACKS = "handle_callbacks"
VIEW_ALL_CALLBACKS = "view_all_callbacks"
VIEW_DASHBOARD = "view_dashboard"
MANAGE_OFFICE = "manage_office"

_OFFICE_ADMIN = [
    f"{action}_{model}"
    for model in ("user", "team", "absence")
    for action in ("view", "add", "change", "delete")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.RECEPTIONIST: [TAKE_MESSAGES],
    Role.COLLEAGUE: [HANDLE_CALLBACKS],
    Role.MANAGER: [TAKE_MESSAGES, HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS, VIEW_DASHBOARD, MANAGE_OFFICE, *_OFFICE_ADMIN],
}
