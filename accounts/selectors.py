from datetime import datetime, timedelta

from django.db.models import QuerySet

from accounts.models import Absence, Team, User


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


def teams_of(*, user: User) -> QuerySet[Team]:
    return Team.objects.filter(members=user).prefetch_related("members", "managers").order_by("name")


def role_names(*, user: User) -> list[str]:
    from accounts.roles import Role

    held = set(user.groups.values_list("name", flat=True))
    return [str(role.label) for role in Role if role.value in held]
