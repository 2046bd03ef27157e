"""A manager's changes to a phone system: its settings and its routes of numbers and queues to teams."""

from django.db import IntegrityError, transaction

from accounts.models import Team
from telephony.domain.tokens import token_hash, token_hint
from telephony.models import PhoneRoute, PhoneSystem


def phone_system_update(*, phone_system: PhoneSystem, name: str, default_team: Team, allowed_addresses: str) -> None:
    phone_system.name = name
    phone_system.default_team = default_team
    phone_system.allowed_addresses = allowed_addresses
    phone_system.save(update_fields=["name", "default_team", "allowed_addresses"])


def phone_route_add(*, phone_system: PhoneSystem, kind: str, value: str, team: Team) -> PhoneRoute | None:
    """The new route, or None when the same number or queue got one meanwhile (the unique constraint)."""
    try:
        with transaction.atomic():
            return PhoneRoute.objects.create(phone_system=phone_system, kind=kind, value=value, team=team)
    except IntegrityError:
        return None


def phone_route_remove(*, phone_system: PhoneSystem, route_id: int) -> bool:
    """False when the route was removed already (a second click)."""
    deleted, _ = PhoneRoute.objects.filter(phone_system=phone_system, pk=route_id).delete()
    return deleted > 0


def phone_system_token_set(*, phone_system: PhoneSystem, token: str) -> None:
    """Give the system a known token again (the demo's, which `make run` prints); also un-revokes it."""
    PhoneSystem.objects.filter(pk=phone_system.pk).update(
        token_hash=token_hash(token), token_hint=token_hint(token), revoked_at=None
    )
