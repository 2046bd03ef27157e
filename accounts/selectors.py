import logging
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q, QuerySet

from accounts.configuration_cache import kept_in_request
from accounts.models import Absence, Presence, Team, User


def absences_current_and_upcoming(*, now: datetime, days_ahead: int = 14) -> QuerySet[Absence]:
    """Absences that have not ended and start within `days_ahead` days, soonest first."""
    return (
        Absence.objects.filter(ends_at__gt=now, starts_at__lt=now + timedelta(days=days_ahead))
        .select_related("user", "stand_in")
        .order_by("starts_at", "user__full_name")
    )


def absence_current(*, user: User, now: datetime) -> Absence | None:
    return (
        Absence.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now)
        .select_related("stand_in")
        .order_by("ends_at")
        .first()
    )


def presence_of(*, user: User, now: datetime) -> Presence | None:
    """The colleague's status at `now`; one whose end has passed counts as cleared."""
    return Presence.objects.filter(user=user, until__gt=now).first()


def presence_key(user_id: int) -> str:
    return f"presence:{user_id}"


# A belt: the services drop the entry on every change; this bounds a change made around them.
PRESENCE_KEPT_SECONDS = 300


def presence_for_navigation(*, user: User, now: datetime) -> Presence | None:
    """presence_of for the navigation of every page, kept in the cache so a page view costs no query.

    The entry holds the row's state and end, or None for no status; the end is compared with `now` on every
    read, so an expired status disappears on time whatever the cache holds.
    """
    key = presence_key(user.pk)
    try:
        # Usually read with the request's first read of the configuration (callbacks/middleware.py).
        prefetched = kept_in_request([key])
        kept = prefetched.get(key, False) if prefetched is not None else cache.get(key, default=False)
    except Exception:
        logging.getLogger(__name__).warning(
            "Status of %s read from the database: the cache failed", user.pk, exc_info=True
        )
        return presence_of(user=user, now=now)
    if kept is False:
        row = Presence.objects.filter(user=user).values_list("state", "until").first()
        kept = row
        try:
            cache.set(key, kept, PRESENCE_KEPT_SECONDS)
        except Exception:
            pass  # read again next time; the page does not need the cache
    if kept is None or kept[1] <= now:
        return None
    return Presence(user=user, state=kept[0], until=kept[1])


def presences_of(*, user_ids: list[int], now: datetime) -> dict[int, Presence]:
    """presence_of for many colleagues in one query (the intake's list of who can be reached)."""
    return {presence.user_id: presence for presence in Presence.objects.filter(user_id__in=user_ids, until__gt=now)}


def teams_of(*, user: User) -> QuerySet[Team]:
    return Team.objects.filter(members=user).prefetch_related("members", "managers").order_by("name")


def role_names(*, user: User) -> list[str]:
    from accounts.roles import Role

    held = set(user.groups.values_list("name", flat=True))
    return [str(role.label) for role in Role if role.value in held]


def _permissions_not_held(user: User) -> QuerySet[Permission]:
    held = Q(pk__in=[])
    for name in user.get_all_permissions():
        app_label, codename = name.split(".", 1)
        held |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.exclude(held)


def users_administrable_by(*, user: User) -> QuerySet[User]:
    """The accounts `user` may see and change in the admin: all for a superuser, else no staff or superuser
    account and none holding a permission `user` lacks (taking one over would be a climb)."""
    if user.is_superuser:
        return User.objects.all()
    beyond = _permissions_not_held(user)
    # A fellow manager of a team out of reach: taking over their account would reach that team's rules.
    teams_beyond = Team.objects.exclude(pk__in=teams_rules_editable_by(user=user).values("pk"))
    return (
        User.objects.filter(is_superuser=False, is_staff=False)
        .exclude(user_permissions__in=beyond)
        .exclude(groups__permissions__in=beyond)
        .exclude(managed_teams__in=teams_beyond)
    )


def groups_assignable_by(*, user: User) -> QuerySet[Group]:
    """The roles `user` may hand out: those granting nothing `user` does not hold."""
    if user.is_superuser:
        return Group.objects.all()
    return Group.objects.exclude(permissions__in=_permissions_not_held(user))


def teams_rules_editable_by(*, user: User) -> QuerySet[Team]:
    """Teams whose promise rules and admin record `user` edits: all with the office-wide permission, else the
    teams they manage. The pages also require the manager role."""
    from accounts.roles import EDIT_ALL_TEAM_RULES

    if user.has_perm(f"accounts.{EDIT_ALL_TEAM_RULES}"):
        return Team.objects.all()
    return Team.objects.filter(managers=user)
