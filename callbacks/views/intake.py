"""The receptionist's intake: the callback protocol as a wizard whose state lives in the session."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from formtools.wizard.views import SessionWizardView

from accounts.models import User
from accounts.roles import TAKE_MESSAGES
from callbacks import selectors, services
from callbacks.domain import readback
from callbacks.forms.intake import (
    HELPED,
    NEW_MESSAGE,
    PUT_THROUGH,
    TAKE_MESSAGE,
    CallerForm,
    CloseForm,
    PromiseForm,
    ReadbackForm,
    ReasonForm,
    RecipientForm,
    normalise_number,
)
from callbacks.models import CallLog
from callbacks.selectors import Recipient
from callbacks.views import sentences

STEPS = [
    ("recipient", RecipientForm),
    ("caller", CallerForm),
    ("reason", ReasonForm),
    ("promise", PromiseForm),
    ("readback", ReadbackForm),
    ("close", CloseForm),
]
STEP_TITLES = {
    "recipient": gettext_lazy("For whom"),
    "caller": gettext_lazy("Caller"),
    "reason": gettext_lazy("Reason"),
    "promise": gettext_lazy("Promise"),
    "readback": gettext_lazy("Read back"),
    "close": gettext_lazy("Close"),
}


def _step_data(wizard: "IntakeWizard", step: str) -> dict:
    if step not in wizard.get_form_list():
        return {}
    if wizard.storage.get_step_data(step) is None:
        return {}  # nothing stored for this step yet: no form to build and validate
    return wizard.get_cleaned_data_for_step(step) or {}


def _taking_a_message(wizard: "IntakeWizard") -> bool:
    return _step_data(wizard, "recipient").get("decision", TAKE_MESSAGE) == TAKE_MESSAGE


def _new_message(wizard: "IntakeWizard") -> bool:
    return _taking_a_message(wizard) and _step_data(wizard, "caller").get("add_to") in (None, "", NEW_MESSAGE)


def _wants_callback(wizard: "IntakeWizard") -> bool:
    return _new_message(wizard) and _step_data(wizard, "reason").get("wants_callback", True)


def can_take_messages(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.has_perm(f"accounts.{TAKE_MESSAGES}")


class IntakeWizard(LoginRequiredMixin, SessionWizardView):
    form_list = STEPS
    condition_dict = {
        "caller": _taking_a_message,
        "reason": _new_message,
        "promise": _wants_callback,
        "readback": _new_message,
        "close": _new_message,
    }
    template_name = "callbacks/intake.html"

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self._checked_forms: dict[str, object] = {}  # step -> its stored data's form, validated this request

    def get_prefix(self, request, *args, **kwargs) -> str:
        return "intake"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_take_messages(request):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    # --- wizard state -------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        """A reload keeps the call in progress; ?new=1 or a caller-ID link starts a new call."""
        starting = request.GET.get("new") or request.GET.get("number") or request.GET.get("for")
        if starting or "token" not in self.storage.extra_data:
            self.storage.reset()
            self.storage.current_step = self.steps.first
            self.storage.extra_data = {
                "token": str(uuid.uuid4()),
                "started_at": timezone.now().isoformat(),
                "prefill_number": request.GET.get("number", "")[:40],
                "prefill_for": request.GET.get("for", "")[:160],
            }
        step = self.steps.current
        return self.render(self.get_form(step=step, data=self.storage.get_step_data(step)))

    def post(self, request, *args, **kwargs):
        token = request.POST.get("intake_token", "")
        if token and _already_saved(token):
            # A double click or a resubmitted last step: the first submit already saved it. Also Save
            # again after an error page whose save had gone through but whose session write had not:
            # the wizard still holds this call, and revalidating it would offer the saved message as
            # "an open message of this caller" (tests/test_faults.py).
            if token == self.storage.extra_data.get("token"):
                self.storage.reset()
            messages.info(request, _("This call was already saved."))
            return redirect("callbacks:intake")
        if "token" not in self.storage.extra_data:
            messages.warning(request, _("This call had expired; please start it again."))
            return redirect("callbacks:intake")
        if not self._may_show_posted_steps(request):
            # A step this call has not reached (a stale tab, a crafted POST): show the step it is at.
            step = self.steps.current
            return self.render(self.get_form(step=step, data=self.storage.get_step_data(step)))
        return super().post(request, *args, **kwargs)

    def _may_show_posted_steps(self, request) -> bool:
        """A posted step other than the current one (Back, a stale tab, a crafted POST) is accepted only
        once every step before it holds valid data: later steps are built from the earlier ones."""
        for step in (request.POST.get("wizard_goto_step"), request.POST.get(f"{self.prefix}-current_step")):
            if not step or step == self.steps.current:
                continue  # the usual case: no need to validate the earlier steps here
            form_list = list(self.get_form_list())
            if step not in form_list:
                return False
            if any(self.get_cleaned_data_for_step(earlier) is None for earlier in form_list[:form_list.index(step)]):
                return False
        return True

    def render_goto_step(self, goto_step, **kwargs):
        """Going back keeps what was typed on the current step, even if it is not complete yet."""
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        self._forget_checked_from(self.steps.current)
        self.storage.set_step_data(self.steps.current, self.get_form_step_data(form))
        return super().render_goto_step(goto_step, **kwargs)

    @property
    def token(self) -> uuid.UUID:
        return uuid.UUID(self.storage.extra_data["token"])

    @property
    def started_at(self) -> datetime:
        return parse_datetime(self.storage.extra_data["started_at"])

    # --- forms ------------------------------------------------------------------------------

    def get_form_initial(self, step):
        extra = self.storage.extra_data
        if step == "recipient" and extra.get("prefill_for"):
            return {"recipient": extra["prefill_for"]}
        if step == "caller" and extra.get("prefill_number"):
            return {"number": extra["prefill_number"]}
        if step == "close":
            return {"token": extra.get("token")}
        return {}

    def get_form_kwargs(self, step=None):
        if step == "recipient":
            users, teams = self._recipients_all()
            return {"users": users, "teams": teams}
        if step == "caller":
            recipient = _step_data(self, "recipient").get("recipient")
            if recipient is None:
                return {"find_open": lambda number: []}
            return {"find_open": lambda number: self._open_messages(number, recipient)}
        if step == "promise":
            return {
                "team": self.policy_team(),
                "call_type": _step_data(self, "reason").get("call_type", "other"),
                "started_at": self.started_at,
            }
        return {}

    def _open_messages(self, number: str, recipient: Recipient) -> list[selectors.OpenMessage]:
        """Read once per call: every later step revalidates the caller step, which offers these.

        A message handled meanwhile is still offered; saving then says so (message_add_call), as it
        does when someone handles it between this step and Save.
        """
        key = f"{number}|{recipient.user.pk if recipient.user else ''}|{recipient.team.pk if recipient.team else ''}"
        remembered = self.storage.extra_data.get("open_messages")
        if remembered is None or remembered["key"] != key:
            found = selectors.open_messages_for(number=number, recipient=recipient)
            remembered = {"key": key, "found": [[m.pk, m.taken_at.isoformat(), m.reason] for m in found]}
            self.storage.extra_data = {**self.storage.extra_data, "open_messages": remembered}
        return [selectors.OpenMessage(pk, parse_datetime(at), reason) for pk, at, reason in remembered["found"]]

    def _recipients_all(self):
        if not hasattr(self, "_recipients_cache"):
            self._recipients_cache = selectors.recipients_all()
        return self._recipients_cache

    def policy_team(self):
        """The team whose promise rules apply: the team asked for, or the colleague's own team."""
        asked_for: Recipient | None = _step_data(self, "recipient").get("recipient")
        if asked_for is None:
            return None
        return asked_for.team or selectors.team_of(asked_for.user)

    def owner(self) -> tuple[Recipient | None, selectors.Availability | None]:
        """Who will own the message: the colleague asked for, or their stand-in while they are away."""
        data = _step_data(self, "recipient")
        recipient: Recipient | None = data.get("recipient")
        if recipient is None:
            return None, None
        if recipient.user is None:
            return recipient, None
        availability = self._availability(recipient.user)
        if availability.state == "away" and availability.stand_in and data.get("to_stand_in"):
            return Recipient(user=availability.stand_in, team=None), availability
        return recipient, availability

    def process_step(self, form):
        step = self.steps.current
        if step == "recipient":
            # Chosen (again): read the colleague's availability afresh, as the first page shows it.
            self.storage.extra_data = {k: v for k, v in self.storage.extra_data.items() if k != "availability"}
        self._forget_checked_from(step)
        self._checked_forms[step] = form
        return super().process_step(form)

    # --- validation: each step's stored data once per request ----------------------------------

    def get_cleaned_data_for_step(self, step):
        """Step conditions, pages and the final check all ask for earlier steps' data; validate it once."""
        if step not in self.form_list:
            return None
        form = self._checked_form(step)
        return form.cleaned_data if form.is_valid() else None

    def _checked_form(self, step: str):
        if step not in self._checked_forms:
            form = self.get_form(step=step, data=self.storage.get_step_data(step),
                                 files=self.storage.get_step_files(step))
            form.is_valid()
            self._checked_forms[step] = form
        return self._checked_forms[step]

    def _forget_checked_from(self, step: str) -> None:
        """New data for `step` changes its form and every later one (they are built from earlier steps)."""
        names = list(self.form_list)
        for later in names[names.index(step):]:
            self._checked_forms.pop(later, None)

    def render_done(self, form, **kwargs):
        """formtools' final revalidation of every step, with the forms this request already validated.

        `done` resets the wizard once the call is saved; when it cannot save, the call stays as typed.
        """
        final_forms = {}
        for step in self.get_form_list():
            checked = self._checked_form(step)
            if not checked.is_valid():
                return self.render_revalidation_failure(step, checked, **kwargs)
            final_forms[step] = checked
        return self.done(list(final_forms.values()), form_dict=final_forms, **kwargs)

    def _availability(self, user: User) -> selectors.Availability:
        """The colleague's availability when they were chosen (process_step), kept for the rest of the call.

        The caller is told it at the first steps ("away until Monday; Daan stands in"), so the message
        goes where the caller was told, and the later steps need not read the absences again.
        """
        kept = self.storage.extra_data.get("availability")
        if kept is None or kept["user"] != user.pk:
            found = selectors.availability_of(user=user, team=selectors.team_of(user), now=timezone.now())
            self.storage.extra_data = {**self.storage.extra_data, "availability": {
                "user": user.pk, "state": found.state, "back_at": found.back_at.isoformat() if found.back_at else None,
                "stand_in": found.stand_in.pk if found.stand_in else None,
            }}
            return found
        stand_in = None
        if kept["stand_in"] is not None:
            users, _teams = self._recipients_all()
            stand_in = next((u for u in users if u.pk == kept["stand_in"]), None) or User.objects.filter(
                pk=kept["stand_in"]).first()
        back_at = parse_datetime(kept["back_at"]) if kept["back_at"] else None
        return selectors.Availability(kept["state"], back_at, stand_in)

    # --- pages ------------------------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        context.update(
            token=self.storage.extra_data.get("token"),
            step_titles=[(name, STEP_TITLES[name]) for name in self.get_form_list()],
            current_step=step,
        )
        builder = getattr(self, f"_context_{step}", None)
        if builder is not None:
            context.update(builder(form))
        return context

    def _context_recipient(self, form):
        now = timezone.now()
        users, teams = self._recipients_all()
        statuses = selectors.availabilities(users=users, now=now)
        number = normalise_number(self.storage.extra_data.get("prefill_number"))
        history, recent_calls = selectors.caller_history(number=number, now=now)
        return {"statuses": statuses, "history": history, "recent_calls": recent_calls, "history_number": number}

    def _context_caller(self, form):
        recipient, availability = self.owner()
        asked_for = _step_data(self, "recipient").get("recipient")
        context = {"owner": recipient, "asked_for": asked_for, "availability": availability}
        if availability is not None and availability.state != "available" and asked_for is not None:
            context["unavailable_line"] = sentences.unavailable_line(name=asked_for.label, availability=availability)
        history, recent_calls = selectors.caller_history(number=form.e164, now=timezone.now())
        context.update(history=history, recent_calls=recent_calls, history_number=form.e164)
        return context

    def _context_promise(self, form):
        recipient, _availability = self.owner()
        proposal = form.policy_without_window()
        return {
            "owner": recipient,
            "proposal": proposal,
            "proposal_sentence": sentences.promise_sentence(deadline=proposal, name=recipient.label, now=timezone.now()),
        }

    def _context_readback(self, form):
        caller = _step_data(self, "caller")
        reason = _step_data(self, "reason")
        promise = _step_data(self, "promise")
        recipient, _availability = self.owner()
        now = timezone.now()
        number = str(caller.get("number", ""))
        return {
            "caller": caller,
            "reason": reason,
            "owner": recipient,
            "spelled_name": spelled_lines(caller.get("name", "")),
            "spoken_number": readback.spoken_phone(number) if number else "",
            "promise_sentence": (
                sentences.promise_sentence(deadline=promise["final_deadline"], name=recipient.label, now=now)
                if promise else sentences.informational_sentence(name=recipient.label)
            ),
        }

    def _context_close(self, form):
        reason = _step_data(self, "reason")
        return {"closing_line": sentences.closing_line(call_type=reason.get("call_type"), tone=reason.get("tone"))}

    # --- saving -----------------------------------------------------------------------------

    def done(self, form_list, form_dict, **kwargs):
        recipient_data = form_dict["recipient"].cleaned_data
        asked_for: Recipient = recipient_data["recipient"]
        team = self.policy_team()
        user = self.request.user
        if recipient_data["decision"] == HELPED:
            services.message_record_helped(
                token=self.token, taken_by=user, intended_user=asked_for.user, owner_team=team,
                note=recipient_data["note"].strip(),
            )
            text = _("Saved: you helped the caller directly.")
        elif recipient_data["decision"] == PUT_THROUGH:
            services.message_record_put_through(
                token=self.token, taken_by=user, intended_user=asked_for.user, owner_team=team,
                note=recipient_data["note"].strip(),
            )
            text = _("Saved: you put the caller through.")
        elif (add_to := form_dict["caller"].cleaned_data.get("add_to")) not in (None, "", NEW_MESSAGE):
            message = services.message_add_call(token=self.token, message_id=int(add_to), taken_by=user)
            if message is None:
                # Back to the caller step with everything typed kept, and the caller's open messages read again.
                messages.error(self.request, _("That message was handled in the meantime; take a new message instead."))
                self.storage.extra_data = {k: v for k, v in self.storage.extra_data.items() if k != "open_messages"}
                self.storage.current_step = "caller"
                return redirect("callbacks:intake")
            text = _("Added this call to the open message (called %(count)s times).") % {"count": message.call_count}
        else:
            text = self._save_new_message(form_dict, asked_for, team)
        self.storage.reset()
        messages.success(self.request, text)
        return redirect("callbacks:intake")

    def _save_new_message(self, form_dict, asked_for: Recipient, team) -> str:
        owner, _availability = self.owner()
        caller = form_dict["caller"].cleaned_data
        reason = form_dict["reason"].cleaned_data
        promise = None
        if "promise" in form_dict:
            data = form_dict["promise"].cleaned_data
            promise = services.Promise(
                deadline=data["final_deadline"], policy_deadline=data["policy_deadline"],
                later_reason=data.get("later_reason", "").strip(), between=data["between"],
                not_between=data["not_between"], not_before=data.get("not_before"),
            )
        services.message_take(
            token=self.token, taken_by=self.request.user, intended_user=asked_for.user,
            owner_user=owner.user, owner_team=owner.team or team,
            caller=services.CallerDetails(name=caller["name"], number=str(caller["number"]),
                                          company=caller.get("company", ""), email=caller.get("email", "")),
            reason=reason["reason"], call_type=reason["call_type"], tone=reason["tone"], promise=promise,
        )
        return _("Message for %(owner)s saved.") % {"owner": owner.label}


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


def _already_saved(token: str) -> bool:
    try:
        value = uuid.UUID(token)
    except ValueError:
        return False
    # Every save (new message, added call, helped directly) writes its call-log line with the token in
    # the same transaction, so one lookup answers for all three.
    return CallLog.objects.filter(intake_token=value).exists()


@login_required
def intake_status(request: HttpRequest) -> HttpResponse:
    """htmx partial: the chosen colleague's status and the line to say when they are unavailable."""
    if not can_take_messages(request):
        raise Http404
    users, teams = selectors.recipients_all()
    typed = request.GET.get("recipient-recipient") or request.GET.get("recipient", "")
    form = RecipientForm({"recipient": typed, "decision": "message"}, users=users, teams=teams)
    context = {}
    if form.is_valid():
        recipient = form.cleaned_data["recipient"]
        context["recipient"] = recipient
        if recipient.user is not None:
            availability = selectors.availability_of(
                user=recipient.user, team=selectors.team_of(recipient.user), now=timezone.now()
            )
            context["availability"] = availability
            if availability.state != "available":
                context["unavailable_line"] = sentences.unavailable_line(name=recipient.label, availability=availability)
    return render(request, "callbacks/partials/recipient_status.html", context)
