"""Reads for the webhook and the call folding: which phone system a token opens, who and which team a call is."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import Team, User
from callbacks.domain.phone import parse
from telephony.domain.tokens import token_hash
from telephony.models import PhoneRoute, PhoneSystem


def phone_system_for_token(token: str) -> PhoneSystem | None:
    """The phone system whose (not revoked) token this is; None for a wrong or revoked one."""
    return (
        PhoneSystem.objects.select_related("default_team", "account")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def agent_find(*, answering_number: str, users: tuple[str, ...]) -> User | None:
    """Our side of a call, among active colleagues: the answering number (or, outgoing, the dialling one) as
    extension, then as username, then as email; else a single user name as full name. None when not sure."""
    active = get_user_model().objects.filter(is_active=True)
    if answering_number:
        for lookup in ("phone_extension", "username__iexact", "email__iexact"):
            found = list(active.filter(**{lookup: answering_number})[:2])
            if len(found) == 1:
                return found[0]
    if len(users) == 1:
        found = list(active.filter(full_name__iexact=users[0])[:2])
        if len(found) == 1:
            return found[0]
    return None


def team_for_call(*, phone_system: PhoneSystem, to_number: str, queue: str) -> Team:
    """The team of an incoming call: by its called number, then by its queue, else the system's default."""
    called = parse(to_number) if to_number else None
    conditions = Q(pk__in=[])
    if called:
        conditions |= Q(kind=PhoneRoute.Kind.NUMBER, value=called)
    if queue:
        conditions |= Q(kind=PhoneRoute.Kind.QUEUE, value__iexact=queue)
    routes = {
        route.kind: route.team
        for route in PhoneRoute.objects.filter(conditions, phone_system=phone_system).select_related("team")
    }
    return routes.get(PhoneRoute.Kind.NUMBER) or routes.get(PhoneRoute.Kind.QUEUE) or phone_system.default_team
