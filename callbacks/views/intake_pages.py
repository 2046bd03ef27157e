"""The intake pages' extra context, one builder per step (what to say, the caller's history, the read-back)."""

from collections.abc import Callable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks import selectors
from callbacks.domain import closing, promises, readback
from callbacks.forms.intake import normalise_number
from callbacks.views import promise_preview, sentences
from callbacks.views.callers import caller_known_context, repeat_context
from callbacks.views.intake_call import Call


def _context_recipient(call: Call, form) -> dict:
    now = timezone.now()
    users, _teams = call.recipients_all()
    number = normalise_number(call.draft.prefill_number)
    history, recent_calls = selectors.caller_history(number=number, now=now)
    # The paths that end here say their goodbye here: the step shows the line of the outcome chosen.
    closing_lines = [
        (path, sentences.closing_line(path=path, now=now)) for path in (closing.HELPED, closing.PUT_THROUGH)
    ]
    return {
        "statuses": selectors.availabilities(users=users, now=now),
        "history": history,
        "recent_calls": recent_calls,
        "history_number": number,
        "closing_lines": closing_lines,
    }


def _context_caller(call: Call, form) -> dict:
    recipient, availability = call.owner()
    asked_for = call.cleaned("recipient").get("recipient")
    context = {"owner": recipient, "asked_for": asked_for, "availability": availability}
    if availability is not None and availability.state != "available" and asked_for is not None:
        context["unavailable_line"] = sentences.unavailable_line(name=asked_for.label, availability=availability)
    # The caller known by the number (name proposed, history across colleagues); htmx redraws it as typed.
    context.update(caller_known_context(number=form.e164, user=call.request.user))
    return context


def _context_promise(call: Call, form) -> dict:
    recipient, _availability = call.owner()
    return {"owner": recipient, **promise_preview.preview_context(form, name=recipient.label)}


def _context_readback(call: Call, form) -> dict:
    caller, reason, promise = call.cleaned("caller"), call.cleaned("reason"), call.cleaned("promise")
    recipient, _availability = call.owner()
    number = str(caller.get("number", ""))
    return {
        "caller": caller,
        "reason": reason,
        "owner": recipient,
        "spelled_name": spelled_lines(caller.get("name", "")),
        "spoken_number": readback.spoken_phone(number) if number else "",
        "promise_sentence": (
            sentences.promise_sentence(deadline=promise["final_deadline"], name=recipient.label, now=timezone.now())
            if promise and "promise" in call.steps()
            else sentences.informational_sentence(name=recipient.label)
        ),
        "wish_sentences": promises.wish_sentences(promise["window"]) if promise and "promise" in call.steps() else [],
    }


def _context_close(call: Call, form) -> dict:
    reason = call.cleaned("reason")
    return {
        "closing_line": sentences.closing_line(
            path=closing.MESSAGE_TAKEN, call_type=reason.get("call_type"), tone=reason.get("tone"), now=timezone.now()
        )
    }


def _context_repeat(call: Call, form) -> dict:
    offered = call.offered()
    return repeat_context(message=offered) if offered is not None else {}


contexts: dict[str, Callable[[Call, forms.Form], dict]] = {
    "recipient": _context_recipient,
    "caller": _context_caller,
    "promise": _context_promise,
    "readback": _context_readback,
    "close": _context_close,
    "repeat": _context_repeat,
}


def spelled_lines(name: str) -> list[str]:
    """One line per letter in the Dutch telephone alphabet: "B als in Bernard"."""
    lines = []
    for item in readback.spell_name(name):
        if item.letter.isalpha() and item.word:
            line = _("%(letter)s as in %(word)s") % {"letter": item.letter, "word": item.word}
        else:
            line = item.word or item.letter
        lines.append(f"{line} ({item.note})" if item.note else line)
    return lines
