"""Phone systems: made, given a new token and revoked by a manager (and by `make run`'s demo)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Team, User
from telephony.domain.tokens import token_hash, token_hint, token_new
from telephony.models import PhoneSystem


@transaction.atomic
def phone_system_create(
    *, name: str, default_team: Team, created_by: User | None, allowed_addresses: str = "", token: str | None = None
) -> tuple[PhoneSystem, str]:
    """A new phone system and its token, which is returned here once and never stored.

    `token` is for `make run`'s demo only, which prints a fixed webhook address; managers always get a
    random one. The system's account is what its missed-call messages are "taken by": inactive and
    without a password, so nobody can sign in with it.
    """
    token = token or token_new()
    account = get_user_model().objects.create(
        username=_unique_username(name),
        full_name=_("Phone system %(name)s") % {"name": name},
        is_active=False,
    )
    account.set_unusable_password()
    account.save(update_fields=["password"])
    system = PhoneSystem.objects.create(
        name=name,
        token_hash=token_hash(token),
        token_hint=token_hint(token),
        allowed_addresses=allowed_addresses,
        default_team=default_team,
        account=account,
        created_by=created_by,
    )
    return system, token


def phone_system_token_renew(*, phone_system: PhoneSystem) -> str:
    """A new token for the system; the old one stops working at once. Also un-revokes the system."""
    token = token_new()
    PhoneSystem.objects.filter(pk=phone_system.pk).update(
        token_hash=token_hash(token), token_hint=token_hint(token), revoked_at=None
    )
    phone_system.refresh_from_db()
    return token


def phone_system_revoke(*, phone_system: PhoneSystem) -> bool:
    """Stop accepting the system's events; its calls and messages stay. False if it was revoked already."""
    revoked = PhoneSystem.objects.filter(pk=phone_system.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    phone_system.refresh_from_db()
    return revoked == 1


def _unique_username(name: str) -> str:
    base = f"pbx-{slugify(name)[:100] or 'phone'}"
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username
