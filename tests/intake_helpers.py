"""Drive the intake over HTTP the way a browser does: a draft per call, one step at a time."""

import re

from django.test import Client

URL = "/callbacks/new/"
DESK = "/callbacks/desk/"
CALL = re.compile(r"/callbacks/call/([0-9a-f-]{36})/([a-z]+)/")


def start_call(client: Client, query: str = "", *, follow: bool = True):
    """GET /callbacks/new/ (a new draft); the client remembers it as its current call."""
    response = client.get(URL + query, follow=follow)
    location = response.redirect_chain[-1][0] if follow else response["Location"]
    client.intake_token = CALL.search(location).group(1)
    return response


def token_of(client: Client) -> str:
    return client.intake_token


def step_url(token: str, step: str) -> str:
    return f"/callbacks/call/{token}/{step}/"


def post_step(client: Client, step: str, data: dict, *, follow: bool = True, token: str | None = None, **extra):
    """POST one step (prefixed fields, as the page does); follows the redirect to the next page."""
    payload = {**extra, **{f"{step}-{name}": value for name, value in data.items()}}
    return client.post(step_url(token or token_of(client), step), payload, follow=follow)


def saved(response) -> bool:
    """The save landed on the receptionist's home (the call is done)."""
    return bool(response.redirect_chain) and response.redirect_chain[-1][0] == DESK


RECIPIENT = {"recipient": "Bram", "decision": "message", "to_stand_in": "on"}
CALLER = {"name": "Pieter de Boer", "number": "06-12345678", "company": "Bakkerij De Boer", "email": ""}
REASON = {"reason": "Vraag over de offerte", "call_type": "question", "tone": "calm", "wants_callback": "on"}
PROMISE: dict = {}
READBACK = {"confirmed": "on"}


def take_message(client: Client, *, recipient=None, caller=None, reason=None, promise=None, start: bool = True):
    """Complete a whole message; returns the list of responses (each followed), one per submit."""
    if start:
        start_call(client)
    responses = [
        post_step(client, "recipient", recipient or RECIPIENT),
        post_step(client, "caller", caller or CALLER),
        post_step(client, "reason", reason or REASON),
    ]
    if (reason or REASON).get("wants_callback"):
        responses.append(post_step(client, "promise", promise if promise is not None else PROMISE))
    responses.append(post_step(client, "readback", READBACK))
    responses.append(post_step(client, "close", {"token": token_of(client)}))
    return responses


def message_taken(*, token, receptionist, colleague, deadline):
    """A message for the colleague, saved by the intake's service directly (no wizard), promised by ``deadline``."""
    from callbacks import services

    return services.message_take(
        token=token,
        taken_by=receptionist,
        intended_user=colleague,
        owner_user=colleague,
        owner_team=colleague.teams.get(),
        caller=services.CallerDetails("Pieter de Boer", "+31612345678"),
        reason="Storing",
        call_type="question",
        tone="calm",
        promise=services.Promise(deadline=deadline, policy_deadline=deadline),
    ).message
