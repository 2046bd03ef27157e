"""The CTI webhook, /cti/<token>/: Zammad's generic CTI push API (docs/PHONE.md, "The webhook").

A PBX posts each event as form fields or JSON; the answer is `{}` with 200, as Zammad answers (Terugbel
blocks no caller, so never "reject"). Refusals, in the order they are checked: 405 for anything but POST,
404 for a wrong or revoked token (429 once an address sent too many wrong ones), 403 for an address outside
the system's allow-list, 413 for a body over MAX_BODY_BYTES, 400 with `{"error": ...}` for a payload that
cannot be read. Nothing is stored for a refused request.
"""

import ipaddress
import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.lockout import client_ip
from accounts.throttle import throttle_allow
from telephony.domain.cti import CtiError, cti_event_read
from telephony.models import PhoneSystem
from telephony.selectors.calls import phone_system_for_token
from telephony.services.events import phone_event_record

logger = logging.getLogger(__name__)

# An event is a few hundred bytes; 20 users with long names stay far below this.
MAX_BODY_BYTES = 16 * 1024
# Wrong tokens per client address and window; right tokens are never limited (a busy PBX posts many).
WRONG_TOKEN_LIMIT = 20
WRONG_TOKEN_WINDOW_SECONDS = 10 * 60


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, token: str) -> JsonResponse:
    address = client_ip(request) or ""
    phone_system = phone_system_for_token(token)
    if phone_system is None:
        allowed = throttle_allow(
            scope="cti-token", key=address, limit=WRONG_TOKEN_LIMIT, window_seconds=WRONG_TOKEN_WINDOW_SECONDS
        )
        if not allowed:
            return _error("too many wrong tokens from this address", status=429)
        return _error("unknown token", status=404)
    if not _address_allowed(phone_system, address):
        logger.warning("CTI event for %s refused from %s (not in its allow-list)", phone_system, address)
        return _error("address not allowed", status=403)
    if _declared_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _error(f"body is larger than {MAX_BODY_BYTES} bytes", status=413)
    try:
        payload = _payload(request)
        event = cti_event_read(payload)
    except CtiError as error:
        return _error(error.message, status=400)
    phone_event_record(phone_system=phone_system, event=event, payload=payload, now=timezone.now())
    return JsonResponse({})


@csrf_exempt
@require_POST
def webhook_sipgate(request: HttpRequest, token: str) -> HttpResponse:
    """The same webhook for sipgate.io, whose push API posts these fields but sends a call's answer and hangup
    only to the addresses its newCall was answered with (an XML <Response onAnswer=... onHangup=...>)."""
    response = webhook(request, token)
    if response.status_code != 200:
        return response
    follow = _event_name(request) == "newCall"
    return render(
        request,
        "telephony/sipgate_response.xml",
        {"follow": follow, "url": request.build_absolute_uri()},
        content_type="application/xml",
    )


def _event_name(request: HttpRequest) -> str:
    if request.content_type == "application/json":
        return str(json.loads(request.body).get("event", ""))
    return QueryDict(request.body, encoding=request.encoding).get("event", "") or request.POST.get("event", "")


def _error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _address_allowed(phone_system: PhoneSystem, address: str) -> bool:
    """True without an allow-list; else the address must be in one of its addresses or networks."""
    lines = [line.strip() for line in phone_system.allowed_addresses.splitlines() if line.strip()]
    if not lines:
        return True
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for line in lines:
        try:
            if client in ipaddress.ip_network(line, strict=False):
                return True
        except ValueError:
            logger.warning("Allow-list of %s has an unreadable line %r", phone_system, line)
    return False


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _payload(request: HttpRequest) -> dict:
    """The posted fields as a plain dict (what is stored as the raw payload): JSON when the content type
    says so, else form fields, a field sent more than once (or named with []) as a list."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise CtiError("body", "body is not valid JSON") from None
        if not isinstance(payload, dict):
            raise CtiError("body", "body must be a JSON object")
        return payload
    try:
        if request.content_type == "multipart/form-data":
            fields = request.POST
        else:
            fields = QueryDict(request.body, encoding=request.encoding)
    except (MultiPartParserError, UnicodeDecodeError):
        raise CtiError("body", "body is not valid form data") from None
    return {name: values if len(values) > 1 or name.endswith("[]") else values[0] for name, values in fields.lists()}
