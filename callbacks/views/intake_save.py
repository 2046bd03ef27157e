"""The save at the end of a call at the intake: one function per path the call took (a new message, a call
added to an open message, helped directly or put through), and what the receptionist is told after."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks import services
from callbacks.forms.intake import PUT_THROUGH
from callbacks.models import Message, Notification
from callbacks.selectors import Recipient
from callbacks.selectors.notified import notified_by_save
from callbacks.views.intake_call import Call
from callbacks.views.saved_text import notified_sentence


@dataclass(frozen=True)
class Saved:
    text: str
    back_to: str | None = None  # not saved: the step to go back to, with everything typed kept


def save_call(call: Call) -> Saved:
    steps = call.steps()
    if steps == ["recipient"]:
        return _save_finished_at_intake(call)
    if steps == ["recipient", "caller", "repeat"]:
        return _save_added_call(call)
    return _save_new_message(call)


def _save_finished_at_intake(call: Call) -> Saved:
    data = call.cleaned("recipient")
    record, text = (
        (services.message_record_put_through, _("Saved: you put the caller through."))
        if data["decision"] == PUT_THROUGH
        else (services.message_record_helped, _("Saved: you helped the caller directly."))
    )
    record(
        token=call.draft.token,
        taken_by=call.request.user,
        intended_user=data["recipient"].user,
        owner_team=call.policy_team(),
        note=data["note"].strip(),
    )
    return Saved(text)


def _save_added_call(call: Call) -> Saved:
    repeat = call.cleaned("repeat")
    message = services.message_add_call(
        token=call.draft.token,
        message_id=int(call.cleaned("caller")["add_to"]),
        taken_by=call.request.user,
        note=repeat["note"],
        earlier_deadline=repeat.get("earlier_deadline"),
    )
    if message is None:
        # Back to the caller step with everything typed kept, and the caller's open messages read again.
        services.draft_forget(draft=call.draft, key="open_messages", go_to="caller")
        return Saved(_("That message was handled in the meantime; take a new message instead."), back_to="caller")
    text = _("Added this call to the open message (called %(count)s times).") % {"count": message.call_count}
    return Saved(_told(text, message, call))


def _save_new_message(call: Call) -> Saved:
    owner, _availability = call.owner()
    asked_for: Recipient = call.cleaned("recipient")["recipient"]
    caller, reason = call.cleaned("caller"), call.cleaned("reason")
    promise, confirmation_language = None, ""
    if "promise" in call.steps():
        data = call.cleaned("promise")
        if caller.get("email") and data.get("confirm_to_caller"):
            confirmation_language = data.get("confirmation_language") or "nl"
        promise = services.Promise(
            deadline=data["final_deadline"],
            policy_deadline=data["policy_deadline"],
            later_reason=data.get("later_reason", "").strip(),
            between=data["between"],
            not_between=data["not_between"],
            not_before=data.get("not_before"),
            exception_reason=data["exception_reason"],
        )
    taken = services.message_take(
        token=call.draft.token,
        taken_by=call.request.user,
        intended_user=asked_for.user,
        owner_user=owner.user,
        owner_team=owner.team or call.policy_team(),
        caller=services.CallerDetails(
            name=caller["name"],
            number=str(caller["number"]),
            company=caller.get("company", ""),
            email=caller.get("email", ""),
            confirmation_language=confirmation_language,
        ),
        reason=reason["reason"],
        call_type=reason["call_type"],
        tone=reason["tone"],
        promise=promise,
    )
    text = _("Message for %(owner)s saved.") % {"owner": owner.label}
    return Saved(_told(text, taken.message, call, written=taken.notifications))


def _told(text: str, message: Message, call: Call, *, written: list[Notification] | None = None) -> str:
    """The save's text, then who was told and how, as the notification rows it wrote say."""
    now = timezone.now()
    notified = notified_by_save(message=message, token=call.draft.token, now=now, written=written)
    told = notified_sentence(notified, now=now)
    return f"{text} {told}" if told else text
