from datetime import datetime, time, timedelta

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.configuration_cache import configuration_changed, forget_kept_in_request
from accounts.models import Presence, User
from accounts.selectors import presence_key


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


def end_of_day(moment: datetime) -> datetime:
    """Local midnight after `moment`: when a status set without an end stops counting."""
    tomorrow = timezone.localdate(moment) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def presence_set(*, user: User, state: str, until: datetime | None, now: datetime) -> Presence:
    """Set the colleague's quick status; without `until` it lasts until the end of the day.

    One row per colleague, replaced on every change, so setting the same status twice leaves one row.
    """
    if state not in Presence.State.values:
        raise ValueError(f"Unknown status {state!r}.")
    ends = until or end_of_day(now)
    if ends <= now:
        raise ValueError("A status must end in the future.")
    presence, _created = Presence.objects.update_or_create(
        user=user, defaults={"state": state, "until": ends, "set_at": now}
    )
    _presence_forget(user)
    return presence


def presence_clear(*, user: User) -> None:
    """Back to available: no status. Clearing twice is harmless."""
    Presence.objects.filter(user=user).delete()
    _presence_forget(user)


def _presence_forget(user: User) -> None:
    """Drop the navigation's kept status now and again at commit, so a read in between cannot keep the old one."""
    key = presence_key(user.pk)

    def forget() -> None:
        try:
            cache.delete(key)
        except Exception:
            pass  # the entry ends by itself after PRESENCE_KEPT_SECONDS

    forget()
    forget_kept_in_request()  # this request's later pages read the cache again, not what it read first
    transaction.on_commit(forget)
