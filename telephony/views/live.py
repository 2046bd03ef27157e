"""The live parts of every page: a receptionist's pop-up for the call she answered, and a colleague's
question about the calls they made ("tick off or add a note"). Fragments loaded by htmx from base.html."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import HANDLE_CALLBACKS, TAKE_MESSAGES
from callbacks.forms.work import HandleForm
from callbacks.services.work import MessageChanged
from telephony.domain.offers import offers_key
from telephony.forms.live import CallNoteForm
from telephony.models import PhoneCall
from telephony.selectors import live as selectors
from telephony.services import offers as offer_services
from telephony.services import outgoing as outgoing_services

NO_CONTENT = 204  # htmx leaves the page as it is


def _allowed(request: HttpRequest, role: str) -> None:
    if not request.user.has_perm(f"accounts.{role}"):
        raise Http404


def _offers(request: HttpRequest) -> HttpResponse:
    offers = selectors.open_offers(user=request.user, now=timezone.now())
    seen = offers_key(offer.call.pk for offer in offers)
    return render(request, "telephony/live/poll.html#offers", {"offers": offers, "seen": seen})


@login_required
@require_GET
def offers_poll(request: HttpRequest) -> HttpResponse:
    """Every second: 204 while the page shows the open offers already (one query), else the offers afresh."""
    _allowed(request, TAKE_MESSAGES)
    ids = selectors.open_offer_ids(user=request.user, now=timezone.now())
    if offers_key(ids) == request.GET.get("seen", ""):
        return HttpResponse(status=NO_CONTENT)
    return _offers(request)


def _own_offer(request: HttpRequest, pk: int) -> PhoneCall:
    _allowed(request, TAKE_MESSAGES)
    call = selectors.offer_of(user=request.user, pk=pk)
    if call is None:
        raise Http404
    return call


@login_required
@require_POST
def offer_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the offer and start the intake with the caller's number (again when pressed twice)."""
    call = _own_offer(request, pk)
    offer_services.offer_close(call=call, now=timezone.now())
    response = redirect(f"{reverse('callbacks:intake')}?{urlencode({'number': str(call.party_number)})}")
    response.status_code = 303
    return response


@login_required
@require_POST
def offer_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    offer_services.offer_close(call=_own_offer(request, pk), now=timezone.now())
    if request.htmx:
        return _offers(request)
    return redirect("home")


@login_required
@require_GET
def questions(request: HttpRequest) -> HttpResponse:
    """After the page has loaded: the colleague's calls waiting for "tick off or add a note"."""
    _allowed(request, HANDLE_CALLBACKS)
    calls = selectors.open_questions(user=request.user)
    if not calls:
        return HttpResponse(status=NO_CONTENT)
    return render(request, "telephony/live/questions.html#questions", {"questions": [_question(c) for c in calls]})


def _question(call: PhoneCall, **extra) -> dict:
    handle_form = extra.pop("handle_form", None) or HandleForm(
        prefix=f"call{call.pk}-handle", initial={"version": call.message.version}
    )
    note_form = extra.pop("note_form", None) or CallNoteForm(call_pk=call.pk)
    return {"call": call, "handle_form": handle_form, "note_form": note_form, **extra}


def _own_question(request: HttpRequest, pk: int) -> PhoneCall:
    _allowed(request, HANDLE_CALLBACKS)
    call = selectors.question_of(user=request.user, pk=pk)
    if call is None:
        raise Http404
    return call


def _answered(request: HttpRequest, call: PhoneCall, text: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, text)
        return redirect("callbacks:detail", pk=call.message_id)
    return render(request, "telephony/live/questions.html#question", {"question": _question(call, done=text)})


@login_required
@require_POST
def question_tick_off(request: HttpRequest, pk: int) -> HttpResponse:
    call = _own_question(request, pk)
    if call.reviewed_at is not None:
        return _answered(request, call, _("You answered this already."))
    form = HandleForm(request.POST, prefix=f"call{call.pk}-handle")
    if not form.is_valid():
        return _question_again(request, call, handle_form=form)
    data = form.cleaned_data
    try:
        done = outgoing_services.call_tick_off(
            call=call,
            by=request.user,
            version=data["version"],
            outcome=data["outcome"],
            note=data["note"].strip(),
            follow_up_on=data["follow_up_on"],
            now=timezone.now(),
        )
    except MessageChanged:
        error = _("The message was changed meanwhile; open it to tick it off.")
        return _question_again(request, call, error=error)
    return _answered(request, call, _("Ticked off. Well done.") if done else _("You answered this already."))


@login_required
@require_POST
def question_note(request: HttpRequest, pk: int) -> HttpResponse:
    call = _own_question(request, pk)
    form = CallNoteForm(request.POST, call_pk=call.pk)
    if call.reviewed_at is None and not form.is_valid():
        return _question_again(request, call, note_form=form)
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    done = outgoing_services.call_note_add(call=call, by=request.user, note=note, now=timezone.now())
    return _answered(request, call, _("Note added.") if done else _("You answered this already."))


def _question_again(request: HttpRequest, call: PhoneCall, **extra) -> HttpResponse:
    if not request.htmx:
        messages.error(request, extra.get("error") or _("Please check the form."))
        return redirect("callbacks:detail", pk=call.message_id)
    return render(request, "telephony/live/questions.html#question", {"question": _question(call, **extra)})


@login_required
@require_GET
def question_later(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Not now": gone from this page; asked again on the next page view until answered."""
    _own_question(request, pk)
    return HttpResponse("")
