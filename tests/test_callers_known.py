"""Callers known by number: as soon as a number is typed, the caller's details, history across every
colleague and open messages (callbacks/views/callers.py, callbacks.selectors.caller_profile)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.forms.intake import CallerForm
from callbacks.models import Message, Outcome, Status
from callbacks.selectors import OpenMessage, Recipient, caller_profile, open_messages_for
from tests.conftest import login_across_time
from tests.factories import MessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

ENDPOINT = reverse("callbacks:caller_known")
NUMBER = "+31612345678"


@pytest.fixture
def desk(client, receptionist):
    login_across_time(client, receptionist)
    return client


@pytest.fixture
def earlier_calls(clock, receptionist, manager, colleague, other_colleague):
    """Pieter called for Daan twice before (once handled, once still open); today he asks for Bram."""
    handled = MessageFactory(
        taken_by=manager,
        owner=other_colleague,
        caller_name="P. de Boer",
        caller_company="",
        status=Status.HANDLED,
        outcome=Outcome.SOLVED,
        taken_at=clock.now() - timedelta(days=60),
    )
    open_one = MessageFactory(
        taken_by=receptionist,
        owner=other_colleague,
        caller_name="Pieter de Boer",
        caller_company="Bakkerij De Boer",
        taken_at=clock.now() - timedelta(days=2),
    )
    return handled, open_one


def known(client, number: str, field: str = "caller-number") -> str:
    response = client.get(ENDPOINT, {field: number}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_it_proposes_the_name_and_company_of_the_last_message_for_another_colleague(desk, earlier_calls):
    page = known(desk, "06-12345678")
    assert 'data-test="known-name">Pieter de Boer<' in page
    assert 'data-test="known-company">Bakkerij De Boer<' in page
    # The button fills the caller step's own fields (the prefix of the field that asked).
    assert 'value="Pieter de Boer" data-fill-field="caller-name"' in page
    assert 'value="Bakkerij De Boer" data-fill-field="caller-company"' in page
    assert 'accesskey="k"' in page


def test_it_shows_the_history_across_colleagues_with_outcome_and_recent_calls(desk, earlier_calls):
    handled, open_one = earlier_calls
    page = known(desk, "+31 6 12345678")
    assert page.count("Daan") >= 2  # both messages were for Daan, not for Bram asked for today
    assert "Opgelost" in page  # the outcome of the handled one
    assert "1 keer gebeld in de afgelopen 30 dagen" in page  # the call 60 days ago is not counted
    # A link only to what the receptionist may open anyway: the message she took, not the manager's.
    assert reverse("callbacks:detail", args=[open_one.pk]) in page
    assert reverse("callbacks:detail", args=[handled.pk]) not in page


def test_it_offers_the_open_message_of_another_colleague(desk, earlier_calls):
    _handled, open_one = earlier_calls
    page = known(desk, "0612345678")
    assert 'data-test="known-open"' in page
    assert "voor Daan" in page and open_one.reason in page


def test_an_anonymised_message_never_proposes_a_name(desk, clock, colleague):
    MessageFactory(
        taken_by=colleague,
        owner=colleague,
        caller_name="Geheim",
        caller_company="Geheim BV",
        status=Status.HANDLED,
        anonymised_at=clock.now(),
    )
    page = known(desk, NUMBER)
    assert 'data-test="history"' in page  # still counted as a caller seen before
    assert "Geheim" not in page.split('data-test="history"')[0]
    assert "data-fill-field" not in page and 'data-test="use-known"' not in page


@pytest.mark.parametrize("typed", ["0201234567", "12", ""])
def test_an_unknown_or_invalid_number_shows_nothing(desk, earlier_calls, typed):
    assert 'data-test="caller-known"' not in known(desk, typed)


@pytest.mark.parametrize("fixture", ["colleague", "outsider"])
def test_it_is_hidden_from_people_who_take_no_messages(client, request, earlier_calls, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(ENDPOINT, {"caller-number": NUMBER}).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client):
    assert client.get(ENDPOINT, {"caller-number": NUMBER}).status_code == 302


def test_the_profile_takes_the_same_number_of_queries_for_one_and_many_messages(
    receptionist, clock, colleague, other_colleague
):
    MessageFactory(taken_by=receptionist, owner=colleague)
    caller_profile(number=NUMBER, user=receptionist, now=clock.now())  # the person's permissions, read once
    with CaptureQueriesContext(connection) as one:
        caller_profile(number=NUMBER, user=receptionist, now=clock.now())
    for days, owner in enumerate([colleague, other_colleague] * 4, start=1):
        MessageFactory(taken_by=receptionist, owner=owner, taken_at=clock.now() - timedelta(days=days))
    with CaptureQueriesContext(connection) as many:
        profile = caller_profile(number=NUMBER, user=receptionist, now=clock.now())
    assert len(profile.history) == 9 and len(profile.open_messages) == 9
    assert len(many) == len(one) == 4


def test_open_messages_are_number_wide_with_the_asked_for_colleague_first(
    clock, receptionist, colleague, other_colleague
):
    for_daan = MessageFactory(taken_by=receptionist, owner=other_colleague, deadline=clock.now() + timedelta(hours=2))
    for_bram = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(hours=5))
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31201234567")
    found = open_messages_for(number=NUMBER, recipient=Recipient(user=colleague, team=None))
    assert [(m.pk, m.owner_label) for m in found] == [(for_bram.pk, "Bram"), (for_daan.pk, "Daan")]
    assert [m.pk for m in open_messages_for(number=NUMBER)] == [for_daan.pk, for_bram.pk]  # by deadline


def test_the_caller_step_offers_another_colleagues_open_message_saying_for_whom(clock, receptionist, other_colleague):
    message = MessageFactory(taken_by=receptionist, owner=other_colleague)
    form = CallerForm(
        {"caller-name": "Pieter", "caller-number": "06 12345678"},
        prefix="caller",
        find_open=lambda number: open_messages_for(number=number),
    )
    choices = dict(form.fields["add_to"].choices)
    assert "voor Daan" in str(choices[str(message.pk)])
    assert not form.is_valid() and "add_to" in form.errors  # the receptionist must choose
    # The number field asks for the caller as soon as it is typed.
    assert form.fields["number"].widget.attrs["data-hx-get"] == ENDPOINT
    assert Message.objects.count() == 1


def test_an_offered_message_survives_being_kept_in_a_draft(clock, receptionist, other_colleague):
    import json

    MessageFactory(taken_by=receptionist, owner=other_colleague)
    offered = open_messages_for(number=NUMBER)[0]
    assert OpenMessage.from_kept(json.loads(json.dumps(offered.kept()))) == offered
