"""The protocol's "check open callbacks at fixed moments": one digest per person per check moment."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Absence, User
from callbacks.models import DEFAULT_CHECK_MOMENTS, CheckMoment, DigestSent, Message, Notification
from callbacks.selectors import team_of
from callbacks.selectors.policies import calendar_for
from callbacks.services.notifications import notification_queue


def check_moment_due(*, user: User, now: datetime) -> datetime | None:
    """The latest check moment of the user's team that has passed today, if a digest may go out now.

    None on weekends, holidays, closure days and outside business hours; a run that comes late still
    sends the moment it missed, as long as the office is open.
    """
    team = team_of(user)
    calendar = calendar_for(team)
    if not calendar.is_open_at(now):
        return None
    today = calendar.local_date(now)
    times = [row.at for row in CheckMoment.objects.filter(team=team)] if team else []
    moments = [datetime.combine(today, at, tzinfo=calendar.tz) for at in (times or DEFAULT_CHECK_MOMENTS)]
    passed = [moment for moment in moments if moment <= now and calendar.is_open_at(moment)]
    return max(passed, default=None)


def open_callbacks_of(user: User) -> list[int]:
    """Ids of the open callbacks a person owes (what "My callbacks" lists), by deadline."""
    return list(Message.objects.owed_by(user).order_by("deadline", "pk").values_list("pk", flat=True))


def digests_send(*, now: datetime | None = None) -> int:
    """Queue due digests; the unique (user, moment) row makes duplicate and overlapping runs harmless."""
    now = now or timezone.now()
    # Only people who may owe something: an open message in their name or in one of their teams. Whether
    # they owe it is open_callbacks_of's question (Message.objects.owed_by).
    open_messages = Message.objects.open()
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=open_messages.values("owner_user")) | Q(teams__in=open_messages.values("owner_team")))
        .distinct()
    )
    away = set(Absence.objects.filter(starts_at__lte=now, ends_at__gt=now).values_list("user_id", flat=True))
    sent = 0
    for user in people:
        if user.pk in away:
            continue
        moment = check_moment_due(user=user, now=now)
        if moment is None:
            continue
        ids = open_callbacks_of(user)
        if not ids:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, moment=moment)
                notification_queue(message=None, recipients=[user], kind=Notification.Kind.DIGEST, message_ids=ids)
        except IntegrityError:
            continue  # Another run sent this moment's digest already.
        sent += 1
    return sent
