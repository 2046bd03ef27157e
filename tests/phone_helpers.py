"""Phone systems and their CTI events in tests, posted exactly as a PBX posts them (Zammad's generic CTI API).

system, token = make_phone_system(team=team)
cti_post(client, token, event="newCall", direction="in", callId="c1", user=["Anna"], **{"from": "0201234567"})
cti_post_json(client, token, {"event": "hangup", "callId": "c1", "cause": "cancel", ...})
"""

import json
import uuid
from urllib.parse import urlencode

from django.test import Client

from accounts.models import Team
from telephony.models import PhoneSystem
from telephony.services.phone_systems import phone_system_create
from tests.clock import running_clock


def make_phone_system(*, team: Team, name: str | None = None, allowed_addresses: str = "") -> tuple[PhoneSystem, str]:
    """A phone system whose unmapped calls go to `team`, and its token (only returned here, as to a manager)."""
    running_clock()  # its created_at comes from the test's clock, as every factory's "now" does
    return phone_system_create(
        name=name or f"Centrale {uuid.uuid4().hex[:6]}",
        default_team=team,
        created_by=None,
        allowed_addresses=allowed_addresses,
    )


def cti_url(token: str) -> str:
    return f"/cti/{token}/"


def cti_post(client: Client, token: str, **fields):
    """Form-encoded, as most PBX scripts send it: a list of users goes as repeated `user[]` fields."""
    users = fields.pop("user", None)
    if users is not None:
        fields["user[]"] = users if isinstance(users, list) else [users]
    body = urlencode(fields, doseq=True)
    return client.post(cti_url(token), data=body, content_type="application/x-www-form-urlencoded")


def cti_post_json(client: Client, token: str, payload: dict):
    """JSON, Zammad's recommended form: `user` is a string or a list."""
    return client.post(cti_url(token), data=json.dumps(payload), content_type="application/json")
