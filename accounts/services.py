from django.contrib.auth.models import Group, Permission

from accounts.configuration_cache import configuration_changed
from accounts.models import User


def user_language_set(*, user: User, language: str) -> None:
    """Remember the interface language the user picked; repeating it changes nothing."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_roles_set(*, user: User, roles: list[str]) -> None:
    """Give the user exactly these roles (group names); every process applies them on its next request."""
    user.groups.set(Group.objects.filter(name__in=roles))
    configuration_changed()


def role_groups_ensure() -> None:
    """Make sure every role group exists with exactly its permissions (idempotent).

    The data migration creates them; this repairs a database where someone deleted or
    edited a role group, and seeds test databases that were flushed.
    """
    from accounts.roles import ROLE_PERMISSIONS

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
        if set(group.permissions.values_list("pk", flat=True)) != {p.pk for p in wanted}:
            group.permissions.set(wanted)
            configuration_changed()
