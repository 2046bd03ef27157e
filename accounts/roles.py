"""The roles of the office, as Django groups, and what each may do.

Pages check permissions, never group names, so a user holding several roles gets the
union of what they allow.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Receptionist")
    COLLEAGUE = "colleague", _("Colleague")
    MANAGER = "manager", _("Manager")
    # Granted by a superuser: a manager may not hand out a permission they do not hold themselves.
    ALL_TEAMS_RULES = "all_teams_rules", _("Rules of all teams")


# Custom permissions declared on accounts.User (Meta.permissions).
TAKE_MESSAGES = "take_messages"
HANDLE_CALLBACKS = "handle_callbacks"
VIEW_ALL_CALLBACKS = "view_all_callbacks"
VIEW_DASHBOARD = "view_dashboard"
MANAGE_OFFICE = "manage_office"
# Edit the promise rules of every team; without it a manager edits those of the teams they manage.
EDIT_ALL_TEAM_RULES = "edit_all_team_rules"

_OFFICE_ADMIN = [
    f"{action}_{model}" for model in ("user", "team", "absence") for action in ("view", "add", "change", "delete")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.RECEPTIONIST: [TAKE_MESSAGES],
    Role.COLLEAGUE: [HANDLE_CALLBACKS],
    Role.MANAGER: [TAKE_MESSAGES, HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS, VIEW_DASHBOARD, MANAGE_OFFICE, *_OFFICE_ADMIN],
    Role.ALL_TEAMS_RULES: [EDIT_ALL_TEAM_RULES],
}
