"""The demo office: anna at reception, bram, carla, daan and eva, manager mira (password "demo").

Creating it twice changes nothing: existing users, teams and absences are left as they are.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.configuration_cache import configuration_changed
from accounts.models import Absence, Team, User
from accounts.roles import Role
from accounts.services import role_groups_ensure, user_roles_set

# seed_demo refuses to run unless DEBUG is on (bandit B105, docs/SECURITY.md).
DEMO_PASSWORD = "demo"  # nosec B105
DEMO_ABSENCE_NOTE = "Demo: vakantie"

PEOPLE = [
    # username, full name, extension, roles
    ("anna", "Anna de Vries", "200", [Role.RECEPTIONIST]),
    ("bram", "Bram Jansen", "211", [Role.COLLEAGUE]),
    ("carla", "Carla Bakker", "212", [Role.COLLEAGUE]),
    ("daan", "Daan Visser", "221", [Role.COLLEAGUE]),
    ("eva", "Eva Smit", "222", [Role.COLLEAGUE]),
    ("mira", "Mira El Amrani", "201", [Role.MANAGER, Role.COLLEAGUE]),
]

TEAMS = [
    ("Verkoop", ["bram", "carla"], ["mira"]),
    ("Service", ["daan", "eva"], ["mira"]),
]


def demo_office_create() -> dict[str, User]:
    role_groups_ensure()
    users = {username: _user(username, name, extension, roles) for username, name, extension, roles in PEOPLE}
    for name, members, managers in TEAMS:
        team, created = Team.objects.get_or_create(name=name)
        if created:
            team.members.set(users[u] for u in members)
            team.managers.set(users[u] for u in managers)
    _absence(users["eva"], users["daan"])
    configuration_changed()  # the teams' members
    return users


def _user(username: str, full_name: str, extension: str, roles: list[str]) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "email": f"{username}@terugbel.test", "phone_extension": extension},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user_roles_set(user=user, roles=roles)
    return user


def _absence(user: User, stand_in: User) -> None:
    if Absence.objects.filter(user=user, note=DEMO_ABSENCE_NOTE).exists():
        return
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(0, 0)))
    ends = timezone.make_aware(datetime.combine(today + timedelta(days=6), time(8, 30)))
    Absence.objects.create(user=user, starts_at=starts, ends_at=ends, stand_in=stand_in, note=DEMO_ABSENCE_NOTE)
