"""MessageQuerySet: the questions the product asks of messages, answered once (Message.objects)."""

from datetime import date, datetime

from django.db import models
from django.db.models import Q

from accounts.configuration_cache import remembered
from accounts.models import Team, User
from accounts.roles import HANDLE_CALLBACKS, VIEW_ALL_CALLBACKS
from callbacks.models.choices import Status
from callbacks.models.generations import messages_changed


class MessageQuerySet(models.QuerySet):
    """The questions the product asks of messages, each answered here once: every page, the badge, the
    digests, the dashboard and the statistics ask through these methods."""

    # Every bulk write moves the messages generation on (callbacks/models/generations.py), so the counts
    # kept in the cache cannot outlive it: retention, the routing to a stand-in and every service's conditional
    # UPDATE are covered without each remembering it (bulk_update() writes through update()). Message.save()
    # and delete() do the same; the overdue sweep's raw UPDATE calls messages_changed() itself.
    # After the write: outside a transaction on_commit runs at once, and a bump before the write would let
    # another process keep the old rows' counts under the new generation.
    def update(self, **kwargs) -> int:
        written = super().update(**kwargs)
        messages_changed()
        return written

    def delete(self) -> tuple[int, dict[str, int]]:
        written = super().delete()
        messages_changed()
        return written

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False, **kwargs) -> list:
        objs = list(objs)
        written = super().bulk_create(objs, batch_size, ignore_conflicts, update_conflicts, **kwargs)
        # New open rows move on only their owners' generations; update_conflicts may change rows already there.
        only_open_added = not update_conflicts and all(obj.status == Status.OPEN for obj in objs)
        messages_changed(new_rows_of=[obj.owner_user_id for obj in objs] if only_open_added else None)
        return written

    def open(self) -> "MessageQuerySet":
        return self.filter(status=Status.OPEN)

    def owned_by(self, user: User) -> "MessageQuerySet":
        """Messages a colleague answers for, in any state: their own, and their teams' messages that no one
        person owns yet."""
        own, teams = _owned_by_conditions(user)
        return self.filter(own | teams)

    def owned_by_halves(self, user: User) -> tuple["MessageQuerySet", "MessageQuerySet"]:
        """owned_by as its two disjoint halves, for counting one half at a time: PostgreSQL counts each half
        from its partial index alone, where the OR of the two makes it read every row's page."""
        own, teams = _owned_by_conditions(user)
        return self.filter(own), self.filter(teams)

    def owed_by(self, user: User) -> "MessageQuerySet":
        """The callbacks a colleague owes: open messages they answer for (the worklist and its badge)."""
        return self.open().owned_by(user)

    def of_teams(self, user: User) -> "MessageQuerySet":
        """Every message owned by one of the person's teams, whoever in it owns the message."""
        return self.filter(owner_team__in=_teams_of(user))

    def actionable_by(self, user: User) -> "MessageQuerySet":
        """Messages a person may act on (attempts, tick-off, reassignment): managers every one, colleagues their
        own and their teams' messages."""
        if user.has_perm(f"accounts.{VIEW_ALL_CALLBACKS}"):
            return self.all()
        if user.has_perm(f"accounts.{HANDLE_CALLBACKS}"):
            return self.filter(Q(owner_user=user) | Q(owner_team__in=_teams_of(user)))
        return self.none()

    def visible_to(self, user: User) -> "MessageQuerySet":
        """What a person may act on, and the messages they took themselves (a receptionist sees what she took)."""
        return self.actionable_by(user) | self.filter(taken_by=user)

    @staticmethod
    def overdue_condition(moment: datetime) -> Q:
        """overdue_at as a condition, for counting with ``Count(..., filter=...)`` beside other figures."""
        return Q(status=Status.OPEN) & MessageQuerySet.deadline_passed(moment)

    @staticmethod
    def deadline_passed(moment: datetime) -> Q:
        """overdue_condition without its status test, for counting among rows already narrowed to open(): a
        filter naming the status makes PostgreSQL read every open row from the table instead of answering
        from the open-message indexes alone."""
        return Q(deadline__lte=moment)

    def overdue_at(self, moment: datetime) -> "MessageQuerySet":
        """Open messages whose promised deadline has passed at that moment (flagged by the sweep or not)."""
        return self.filter(self.overdue_condition(moment))

    @staticmethod
    def due_between_condition(start: datetime | None, end: datetime | None) -> Q:
        """due_between as a condition, for counting beside other figures."""
        return Q(status=Status.OPEN) & MessageQuerySet.deadline_between(start, end)

    @staticmethod
    def deadline_between(start: datetime | None, end: datetime | None) -> Q:
        """due_between_condition without its status test, for rows already open() (see deadline_passed)."""
        due = Q()
        if start is not None:
            due &= Q(deadline__gt=start)
        if end is not None:
            due &= Q(deadline__lt=end)
        return due

    def due_between(self, start: datetime | None, end: datetime | None) -> "MessageQuerySet":
        """Open messages due after ``start`` and before ``end`` (either end may be left open)."""
        return self.filter(self.due_between_condition(start, end))

    def follow_ups_due(self, day: date) -> "MessageQuerySet":
        """Handled messages whose "check back whether it worked" day has come and that nobody checked yet."""
        return self.filter(status=Status.HANDLED, follow_up_on__lte=day, follow_up_done_at__isnull=True)

    def open_for_number(self, number: str) -> "MessageQuerySet":
        """Open messages of one caller, by their (normalised) telephone number."""
        return self.open().filter(caller_number=number)


def _owned_by_conditions(user: User) -> tuple[Q, Q]:
    return Q(owner_user=user), Q(owner_user__isnull=True, owner_team__in=_teams_of(user))


def team_ids_key(user: User) -> str:
    return f"team_ids:{user.pk}"


def _teams_of(user: User) -> list[int]:
    """The ids of the person's teams, read once per request and kept on the user object (as Django keeps
    permissions): as literal values the owner-or-team condition can use the open-message indexes of each
    side, where a subquery makes PostgreSQL read every open message. Memberships are part of the office's
    configuration (accounts/configuration_cache.py): the navigation of every page needs them."""
    if not hasattr(user, "_team_ids"):
        user._team_ids = remembered(
            team_ids_key(user), lambda: list(Team.objects.filter(members=user).values_list("pk", flat=True))
        )
    return user._team_ids
