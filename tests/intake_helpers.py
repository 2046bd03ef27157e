"""Drive the intake wizard over HTTP the way a browser does, one step at a time."""

from django.test import Client

URL = "/callbacks/new/"


def token_of(client: Client) -> str:
    return client.session["wizard_intake"]["extra_data"]["token"]


def post_step(client: Client, step: str, data: dict, *, follow: bool = False, **extra):
    payload = {"intake-current_step": step, "intake_token": token_of(client), **extra}
    payload.update({f"{step}-{name}": value for name, value in data.items()})
    return client.post(URL, payload, follow=follow)


RECIPIENT = {"recipient": "Bram", "decision": "message", "to_stand_in": "on"}
CALLER = {"name": "Pieter de Boer", "number": "06-12345678", "company": "Bakkerij De Boer", "email": ""}
REASON = {"reason": "Vraag over de offerte", "call_type": "question", "tone": "calm", "wants_callback": "on"}
PROMISE: dict = {}
READBACK = {"confirmed": "on"}


def take_message(client: Client, *, recipient=None, caller=None, reason=None, promise=None, start: bool = True):
    """Complete a whole message; returns the list of responses, one per submit."""
    if start:
        client.get(URL + "?new=1")
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
