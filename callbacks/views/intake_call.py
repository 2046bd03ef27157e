"""One call at the intake during one request: its steps' forms built from the draft, each validated
once, and the save for the path the call took. The pages' context per step is in intake_pages.py."""

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from callbacks import selectors, services
from callbacks.forms.intake import (
    HELPED,
    NEW_MESSAGE,
    PUT_THROUGH,
    CallerForm,
    CloseForm,
    ReadbackForm,
    ReasonForm,
    RecipientForm,
)
from callbacks.domain import phone
from callbacks.forms.promise import PromiseForm
from callbacks.forms.repeat import RepeatCallForm
from callbacks.models import CallDraft
from callbacks.selectors import Recipient

FORMS = {
    "recipient": RecipientForm,
    "caller": CallerForm,
    "reason": ReasonForm,
    "promise": PromiseForm,
    "readback": ReadbackForm,
    "close": CloseForm,
    "repeat": RepeatCallForm,
}
STEP_TITLES = dict(CallDraft.Step.choices)
CALLER_MAIL_FIELDS = ("confirm_to_caller", "confirmation_language")


class Call:
    def __init__(self, request: HttpRequest, draft: CallDraft) -> None:
        self.request, self.draft = request, draft
        self._checked: dict[str, forms.Form] = {}  # step -> its stored data's form, validated this request
        self._recipients: tuple | None = None

    # --- the path through the steps -------------------------------------------------------------

    def steps(self) -> list[str]:
        """The steps of this call, given what is stored: helped directly ends at once, adding the call
        to an open message goes from the caller to the repeat step, and no callback wish means no promise."""
        if self.cleaned("recipient").get("decision") in (HELPED, PUT_THROUGH):
            return ["recipient"]
        if self.cleaned("caller").get("add_to") not in (None, "", NEW_MESSAGE):
            return ["recipient", "caller", "repeat"]
        promise = ["promise"] if self.cleaned("reason").get("wants_callback", True) else []
        return ["recipient", "caller", "reason", *promise, "readback", "close"]

    def at(self) -> str:
        """The step the call is at: where it was left, or else the first step without valid data."""
        if self.may_show(self.draft.step):
            return self.draft.step
        steps = self.steps()
        return next((step for step in steps if not self.checked(step).is_valid()), steps[-1])

    def may_show(self, step: str) -> bool:
        """A step is shown once every step before it holds valid data (later steps are built from them)."""
        return step in self.steps() and self._valid_up_to(step)

    def _valid_up_to(self, step: str) -> bool:
        steps = self.steps()
        return all(self.checked(earlier).is_valid() for earlier in steps[: steps.index(step)])

    # --- forms ----------------------------------------------------------------------------------

    def form(self, step: str, *, data=None, stored: bool = False) -> forms.Form:
        """The step's form: bound to `data`, or unbound showing what is stored (no errors on a reload)."""
        initial = self._initial(step)
        if stored:
            initial.update(self.draft.data.get(step, {}))
        form = FORMS[step](data, prefix=step, initial=initial, **self._kwargs(step))
        if step == "promise" and not initial["caller_mail"]:
            for name in CALLER_MAIL_FIELDS:
                del form.fields[name]
        return form

    def checked(self, step: str) -> forms.Form:
        if step not in self._checked:
            stored = self.draft.data.get(step)
            form = self.form(
                step,
                data={f"{step}-{name}": value for name, value in (stored or {}).items()}
                if stored is not None
                else None,
            )
            form.is_valid()
            self._checked[step] = form
        return self._checked[step]

    def cleaned(self, step: str) -> dict:
        form = self.checked(step)
        return form.cleaned_data if form.is_bound and form.is_valid() else {}

    def store(self, step: str, *, go_to: str | None = None) -> str | None:
        """Store the step as posted and move to `go_to` (by default the next step); returns where the
        call goes, or None after the last step."""
        self.draft.data = {**self.draft.data, step: self._posted(step)}
        self._forget_from(step)
        steps = self.steps()
        last = go_to is None and step == steps[-1]
        if go_to is None:
            go_to = step if last else steps[steps.index(step) + 1]
        if last:
            # The last step holds only the call's own token, and the save comes next: it deletes the draft,
            # or stores the step it sends the receptionist back to (draft_forget). Nothing to write before.
            return None
        services.draft_step_store(
            draft=self.draft, step=step, data=self.draft.data[step], go_to=go_to, now=timezone.now()
        )
        return go_to

    def _posted(self, step: str) -> dict[str, str]:
        """The step's fields as posted, without the prefix; an unticked box is stored as unticked."""
        form = FORMS[step](self.request.POST, prefix=step, **self._kwargs(step))  # bound: the fields it offers
        posted = {}
        for name, field in form.fields.items():
            value = self.request.POST.get(form.add_prefix(name))
            if value is not None or isinstance(field, forms.BooleanField):
                posted[name] = (value or "").replace("\x00", "")  # PostgreSQL's JSON holds no NUL
        return posted

    def _forget_from(self, step: str) -> None:
        names = list(FORMS)
        for later in names[names.index(step) :]:
            self._checked.pop(later, None)

    def _initial(self, step: str) -> dict:
        if step == "recipient" and self.draft.prefill_for:
            return {"recipient": self.draft.prefill_for}
        if step == "caller" and self.draft.prefill_number:
            # As the receptionist would type and read it back (06 12345678), whatever form the phone system sent.
            number = phone.parse(self.draft.prefill_number)
            return {"number": phone.display(number) if number else self.draft.prefill_number}
        if step == "close":
            return {"token": self.draft.token}
        if step == "promise":
            # No address, no confirmation to offer; the flag is also in the cached markup's key (crispy_cached).
            return {"caller_mail": bool(self.cleaned("caller").get("email"))}
        return {}

    def _kwargs(self, step: str) -> dict:
        if step == "recipient":
            users, teams = self.recipients_all()
            return {"users": users, "teams": teams}
        if step == "caller":
            recipient = self.cleaned("recipient").get("recipient")
            if recipient is None:
                return {"find_open": lambda number: []}
            return {"find_open": lambda number: self._open_messages(number, recipient)}
        if step == "promise":
            return {
                "team": self.policy_team(),
                "call_type": self.cleaned("reason").get("call_type", "other"),
                "started_at": self.draft.started_at,
            }
        if step == "repeat":
            offered = self.offered()
            rules = selectors.rules_of(offered.pk) if offered else None
            calendar, wishes = rules or (None, None)
            return {"deadline": offered.deadline if offered else None, "calendar": calendar, "wishes": wishes}
        return {}

    def offered(self) -> selectors.OpenMessage | None:
        """The open message this call is added to, as offered to the receptionist at the caller step."""
        caller = self.checked("caller")
        add_to = caller.cleaned_data.get("add_to") if caller.is_bound and caller.is_valid() else None
        if add_to in (None, "", NEW_MESSAGE):
            return None
        return next((m for m in caller.open_messages if str(m.pk) == add_to), None)

    # --- what the call keeps once read ------------------------------------------------------------

    def recipients_all(self):
        if self._recipients is None:
            self._recipients = selectors.recipients_all()
        return self._recipients

    def _open_messages(self, number: str, recipient: Recipient) -> list[selectors.OpenMessage]:
        """Read once per call: every later step revalidates the caller step, which offers these.

        A message handled meanwhile is still offered; saving then says so (message_add_call).
        """
        key = f"{number}|{recipient.user.pk if recipient.user else ''}|{recipient.team.pk if recipient.team else ''}"
        kept = self.draft.kept.get("open_messages")
        if kept is None or kept["key"] != key:
            found = selectors.open_messages_for(number=number, recipient=recipient)
            kept = {"key": key, "found": [message.kept() for message in found]}
            services.draft_keep(draft=self.draft, key="open_messages", value=kept)
        return [selectors.OpenMessage.from_kept(row) for row in kept["found"]]

    def availability(self, user: User) -> selectors.Availability:
        """The colleague's availability when they were chosen, kept for the rest of the call: the message
        goes where the caller was told ("away until Monday; Daan stands in")."""
        kept = self.draft.kept.get("availability")
        if kept is None or kept["user"] != user.pk:
            found = selectors.availability_of(user=user, team=selectors.team_of(user), now=timezone.now())
            services.draft_keep(
                draft=self.draft,
                key="availability",
                value={
                    "user": user.pk,
                    "state": found.state,
                    "back_at": found.back_at.isoformat() if found.back_at else None,
                    "stand_in": found.stand_in.pk if found.stand_in else None,
                },
            )
            return found
        stand_in = None
        if kept["stand_in"] is not None:
            users, _teams = self.recipients_all()
            stand_in = (
                next((u for u in users if u.pk == kept["stand_in"]), None)
                or User.objects.filter(pk=kept["stand_in"]).first()
            )
        back_at = parse_datetime(kept["back_at"]) if kept["back_at"] else None
        return selectors.Availability(kept["state"], back_at, stand_in)

    def policy_team(self):
        """The team whose promise rules apply: the team asked for, or the colleague's own team."""
        asked_for: Recipient | None = self.cleaned("recipient").get("recipient")
        if asked_for is None:
            return None
        return asked_for.team or selectors.team_of(asked_for.user)

    def owner(self) -> tuple[Recipient | None, selectors.Availability | None]:
        """Who will own the message: the colleague asked for, or their stand-in while they are away."""
        data = self.cleaned("recipient")
        recipient: Recipient | None = data.get("recipient")
        if recipient is None or recipient.user is None:
            return recipient, None
        availability = self.availability(recipient.user)
        if availability.state == "away" and availability.stand_in and data.get("to_stand_in"):
            return Recipient(user=availability.stand_in, team=None), availability
        return recipient, availability
