"""Promises inside the rules: a deadline or "try again at" inside the team's hours and the caller's wishes,
or an exception with a reason; the wishes read back, listed and mailed; closing lines that fit the call."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.domain import closing
from callbacks.domain.deadlines import BusinessCalendar, PreferredWindow, _allowed_intervals, callback_deadline
from callbacks.domain.promises import rule_breaches, wish_phrases, wish_sentences
from callbacks.forms.promise import PromiseForm
from callbacks.forms.work import AttemptForm
from callbacks.models import Attempt, Message
from callbacks.selectors.policies import calendar_for
from callbacks.services import digests_send
from tests.conftest import login_across_time
from tests.factories import MessageFactory
from tests.intake_helpers import CALLER, REASON, RECIPIENT, post_step, start_call, take_message

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
OFFICE = BusinessCalendar(tz=AMS, hours={day: (time(8, 30), time(17, 30)) for day in range(5)})
# Open into the evening, so that a dinner-time promise breaks only the caller's wish.
LATE_OFFICE = BusinessCalendar(tz=AMS, hours={day: (time(8, 0), time(21, 0)) for day in range(5)})
DINNER = PreferredWindow(not_between=(time(17, 30), time(19, 0)))
MORNING = PreferredWindow(between=(time(10, 0), time(12, 0)))


def ams(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMS)


# --- The check itself (pure) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, calendar, window, expected",
    [
        (ams(date(2026, 12, 5), 12), OFFICE, None, ["Saturday 5 December: the team is closed."]),
        (ams(date(2026, 12, 1), 23), OFFICE, None, ["23:00 is outside the team's opening hours (08:30 to 17:30)."]),
        (
            ams(date(2026, 12, 1), 18, 15),
            LATE_OFFICE,
            DINNER,
            ["18:15 is inside the caller's “not between 17:30 and 19:00”."],
        ),
        (
            ams(date(2026, 12, 1), 16, 30),
            OFFICE,
            MORNING,
            ["16:30 is outside the caller's “only between 10:00 and 12:00”."],
        ),
        (ams(date(2027, 4, 27), 11), OFFICE, None, ["Tuesday 27 April is a public holiday: the team is closed."]),
        (
            ams(date(2026, 12, 2), 11),
            OFFICE,
            PreferredWindow(not_before=date(2026, 12, 3)),
            ["Wednesday 2 December is before the caller's “not before Thursday 3 December”."],
        ),
        (
            ams(date(2026, 12, 1), 18, 15),
            OFFICE,
            DINNER,
            [
                "18:15 is outside the team's opening hours (08:30 to 17:30).",
                "18:15 is inside the caller's “not between 17:30 and 19:00”.",
            ],
        ),
        # A promise is "call back before": closing time and the ends of the wishes are inside.
        (ams(date(2026, 12, 1), 17, 30), OFFICE, DINNER, []),
        (ams(date(2026, 12, 1), 12), OFFICE, MORNING, []),
        (ams(date(2026, 12, 1), 19), LATE_OFFICE, DINNER, []),
    ],
)
def test_the_check_names_each_rule_the_moment_breaks(moment, calendar, window, expected):
    with translation.override("en"):
        assert rule_breaches(moment, calendar, window) == expected


def test_a_closure_day_is_named():
    calendar = BusinessCalendar(tz=AMS, hours=OFFICE.hours, closure_dates=frozenset({date(2026, 12, 24)}))
    with translation.override("nl"):
        assert rule_breaches(ams(date(2026, 12, 24), 10), calendar, None) == [
            "donderdag 24 december is een sluitingsdag: het team is dan gesloten."
        ]


wish_times = st.builds(time, st.integers(6, 21), st.sampled_from([0, 15, 30, 45]))
windows = st.builds(
    PreferredWindow,
    between=st.none() | st.tuples(wish_times, wish_times).filter(lambda pair: pair[0] < pair[1]),
    not_between=st.none() | st.tuples(wish_times, wish_times).filter(lambda pair: pair[0] < pair[1]),
    not_before=st.none() | st.dates(date(2026, 1, 1), date(2027, 12, 31)),
)
moments = st.builds(
    lambda day, minutes: ams(day, 0) + timedelta(minutes=minutes),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    st.integers(0, 24 * 12 - 1).map(lambda n: n * 5),
)


@settings(max_examples=300, deadline=None)
@given(moment=moments, window=windows)
def test_an_accepted_moment_is_inside_opening_hours_and_the_wishes(moment, window):
    accepted = rule_breaches(moment, OFFICE, window) == []
    local = moment.astimezone(AMS)
    if accepted:
        interval = OFFICE.opening_of(local.date())
        assert interval is not None and interval[0] <= moment <= interval[1]
        assert window.not_before is None or local.date() >= window.not_before
        assert window.between is None or window.between[0] <= local.time() <= window.between[1]
        assert window.not_between is None or not window.not_between[0] < local.time() < window.not_between[1]
    # The other way round, against the deadline code's own allowed stretches: strictly inside one is accepted.
    day_start = ams(local.date(), 0)
    inside = any(
        opens < moment < closes
        for opens, closes in _allowed_intervals(day_start, OFFICE, window)
        if opens.astimezone(AMS).date() == local.date()
    )
    assert accepted or not inside


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(start=moments, window=windows | st.none(), handling=st.none() | st.integers(15, 1200))
def test_the_policys_own_proposal_always_passes(start, window, handling):
    try:
        proposal = callback_deadline(
            start=start,
            handling=None if handling is None else timedelta(minutes=handling),
            calendar=OFFICE,
            window=window,
        )
    except ValueError:
        return  # wishes that leave no time: the form says so instead
    assert rule_breaches(proposal, OFFICE, window) == []


def test_the_wishes_in_short_and_as_read_back():
    window = PreferredWindow(
        between=(time(10), time(12)), not_between=(time(17, 30), time(19)), not_before=date(2026, 12, 3)
    )
    with translation.override("nl"):
        assert wish_phrases(window) == [
            "alleen tussen 10:00 en 12:00",
            "niet tussen 17:30 en 19:00",
            "niet vóór donderdag 3 december",
        ]
        assert wish_sentences(window) == [
            "U wordt alleen gebeld tussen 10:00 en 12:00.",
            "U wordt niet gebeld tussen 17:30 en 19:00.",
            "U wordt niet vóór donderdag 3 december gebeld.",
        ]
    assert wish_phrases(PreferredWindow()) == wish_sentences(None) == []


# --- Closing lines --------------------------------------------------------------------------------------

FRIDAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    "path, call_type, tone, moment, line",
    [
        (
            closing.MESSAGE_TAKEN,
            "question",
            "calm",
            ams(date(2026, 12, 1), 10),
            "Ik geef uw bericht door. Bedankt voor uw telefoontje. Een fijne dag en tot ziens.",
        ),
        (
            closing.MESSAGE_TAKEN,
            "question",
            "calm",
            ams(date(2026, 12, 1), 14),
            "Ik geef uw bericht door. Bedankt voor uw telefoontje. Een fijne middag en tot ziens.",
        ),
        (
            closing.MESSAGE_TAKEN,
            "question",
            "calm",
            ams(date(2026, 12, 1), 20, 10),
            "Ik geef uw bericht door. Bedankt voor uw telefoontje. Een fijne avond en tot ziens.",
        ),
        (
            closing.MESSAGE_TAKEN,
            "question",
            "calm",
            ams(FRIDAY, 11, 59),
            "Ik geef uw bericht door. Bedankt voor uw telefoontje. Een fijne dag en tot ziens.",
        ),
        (
            closing.HELPED,
            "",
            "",
            ams(FRIDAY, 15),
            "Fijn dat ik u kon helpen. Bedankt voor uw telefoontje. Een fijn weekend en tot ziens.",
        ),
        (
            closing.REPEAT_CALL,
            "",
            "",
            ams(date(2026, 12, 5), 10),
            "Ik geef door dat u opnieuw hebt gebeld. Bedankt voor uw telefoontje. Een fijn weekend en tot ziens.",
        ),
        (closing.PUT_THROUGH, "", "", ams(date(2026, 12, 2), 9), "Ik verbind u nu door. Een fijne dag en tot ziens."),
        (
            closing.MESSAGE_TAKEN,
            "complaint",
            "calm",
            ams(date(2026, 12, 1), 16),
            "Nogmaals excuses voor het ongemak. "
            "Ik geef uw bericht door. Bedankt voor uw telefoontje. Een fijne middag en tot ziens.",
        ),
        (
            closing.REPEAT_CALL,
            "question",
            "angry",
            ams(date(2026, 12, 1), 19),
            "Nogmaals excuses voor het ongemak. "
            "Ik geef door dat u opnieuw hebt gebeld. Bedankt voor uw telefoontje. Een fijne avond en tot ziens.",
        ),
    ],
)
def test_the_closing_line_fits_the_path_and_the_time_of_day(path, call_type, tone, moment, line):
    with translation.override("nl"):
        assert closing.closing_line(path=path, call_type=call_type, tone=tone, local=moment) == line


# --- The forms ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.parametrize(
    "typed, wishes, later_reason, broken",
    [
        ("2026-12-05T12:00", {}, "klant vroeg zaterdag", "zaterdag 5 december: het team is dan gesloten."),
        ("2026-12-01T23:00", {}, "", "23:00 valt buiten de openingstijden van het team (08:30 tot 17:30)."),
        (
            "2026-12-01T16:30",
            {"between_start": "10:00", "between_end": "12:00"},
            "",
            "16:30 valt buiten de wens van de beller „alleen tussen 10:00 en 12:00”.",
        ),
        (
            "2026-12-01T17:15",
            {"not_between_start": "17:00", "not_between_end": "19:00"},
            "",
            "17:15 valt binnen de wens van de beller „niet tussen 17:00 en 19:00”.",
        ),
        ("2027-04-27T11:00", {}, "na de vakantie", "dinsdag 27 april is een feestdag: het team is dan gesloten."),
        (
            "2026-12-02T11:00",
            {"not_before": "2026-12-03"},
            "",
            "woensdag 2 december valt vóór de wens van de beller „niet vóór donderdag 3 december”.",
        ),
    ],
)
def test_a_typed_deadline_outside_the_rules_needs_a_reason(clock, typed, wishes, later_reason, broken):
    data = {"deadline": typed, "later_reason": later_reason, **wishes}
    refused = PromiseForm(data, team=None, call_type="question", started_at=clock.now())
    assert not refused.is_valid()
    assert broken in refused.errors["exception_reason"]
    assert 'name="exception_reason"' in str(refused["exception_reason"]) and 'type="text"' in str(
        refused["exception_reason"]
    )
    accepted = PromiseForm(
        {**data, "exception_reason": "Beller is dan alleen bereikbaar"},
        team=None,
        call_type="question",
        started_at=clock.now(),
    )
    assert accepted.is_valid(), accepted.errors
    assert accepted.cleaned_data["exception_reason"] == "Beller is dan alleen bereikbaar"


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
def test_a_deadline_inside_the_rules_keeps_the_reason_field_hidden_and_drops_a_stale_reason(clock):
    form = PromiseForm(
        {"deadline": "2026-12-01T15:00", "exception_reason": "oud"},
        team=None,
        call_type="question",
        started_at=clock.now(),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["exception_reason"] == ""
    assert 'type="hidden"' in str(form["exception_reason"])


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
def test_try_again_at_is_checked_against_the_messages_calendar_and_wishes(clock):
    data = {"attempt-version": "1", "attempt-result": "no_answer", "attempt-next_try_at": "2026-12-01T17:15"}
    refused = AttemptForm(data, calendar=calendar_for(None), wishes=PreferredWindow(not_between=(time(17), time(19))))
    assert not refused.is_valid()
    assert "17:15 valt binnen de wens van de beller „niet tussen 17:00 en 19:00”." in refused.errors["exception_reason"]
    saturday = AttemptForm(
        {**data, "attempt-next_try_at": "2026-12-05T10:00"}, calendar=calendar_for(None), wishes=None
    )
    assert "zaterdag 5 december: het team is dan gesloten." in saturday.errors["exception_reason"]
    fine = AttemptForm(
        {**data, "attempt-next_try_at": "2026-12-01T14:00"},
        calendar=calendar_for(None),
        wishes=PreferredWindow(not_between=(time(17), time(19))),
    )
    assert fine.is_valid(), fine.errors
    resubmitted = refused.resubmitted(2)
    assert resubmitted.calendar is refused.calendar and resubmitted.wishes == refused.wishes


# --- Over HTTP --------------------------------------------------------------------------------------------


@pytest.fixture
def desk(client, receptionist, colleague):
    login_across_time(client, receptionist)
    return client


def _to_promise_step(desk):
    start_call(desk)
    post_step(desk, "recipient", RECIPIENT)
    post_step(desk, "caller", CALLER)
    post_step(desk, "reason", REASON)


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_the_intake_refuses_a_saturday_promise_without_a_reason_and_saves_it_with_one(desk):
    _to_promise_step(desk)
    saturday = {"deadline": "2026-12-05T12:00", "later_reason": "Beller is doordeweeks op reis"}
    page = post_step(desk, "promise", saturday).content.decode()
    assert "zaterdag 5 december: het team is dan gesloten." in page
    assert Message.objects.count() == 0
    take_message(desk, start=False, promise={**saturday, "exception_reason": "Beller belt zaterdag zelf in"})
    message = Message.objects.get()
    assert message.promise_exception_reason == "Beller belt zaterdag zelf in"
    assert message.deadline == datetime(2026, 12, 5, 12, 0, tzinfo=AMS)
    assert message.events.get().changes == {"promise_exception_reason": ["", "Beller belt zaterdag zelf in"]}
    detail_page = _detail_as_owner(desk, message)
    assert detail_page.count("Beller belt zaterdag zelf in") == 2  # under the deadline and in the timeline


def _detail_as_owner(client, message):
    login_across_time(client, message.owner_user)
    return client.get(f"/callbacks/{message.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_the_wishes_are_read_back_and_the_live_sentence_follows_them(desk):
    _to_promise_step(desk)
    dinner = {"not_between_start": "17:30", "not_between_end": "19:00"}
    live = desk.get(
        "/callbacks/new/promise-sentence/",
        {
            "prefix": "promise",
            "call_type": "question",
            "owner": "Bram Jansen",
            **{f"promise-{name}": value for name, value in dinner.items()},
        },
    ).content.decode()
    assert "U wordt niet gebeld tussen 17:30 en 19:00." in live and "Bram Jansen" in live
    page = post_step(desk, "promise", dinner).content.decode()
    assert "U wordt niet gebeld tussen 17:30 en 19:00." in page


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_the_live_sentence_names_a_broken_rule(desk):
    live = desk.get(
        "/callbacks/new/promise-sentence/",
        {
            "prefix": "promise",
            "call_type": "question",
            "owner": "Bram",
            "promise-deadline": "2026-12-01T23:00",
        },
    ).content.decode()
    assert "23:00 valt buiten de openingstijden van het team (08:30 tot 17:30)." in live
    assert "U wordt uiterlijk vandaag vóór 23:00 teruggebeld door Bram." in live


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_an_attempt_with_try_again_during_dinner_needs_a_reason(client, receptionist, colleague):
    message = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=TUESDAY_10 + timedelta(hours=5),
        window_not_between_start=time(12),
        window_not_between_end=time(13, 30),
    )
    login_across_time(client, colleague)
    payload = {
        "attempt-version": message.version,
        "attempt-result": "no_answer",
        "attempt-next_try_at": "2026-12-01T12:30",
    }
    refused = client.post(f"/callbacks/{message.pk}/attempt/", payload)
    assert refused.status_code == 200
    assert "12:30 valt binnen de wens van de beller „niet tussen 12:00 en 13:30”." in refused.content.decode()
    message.refresh_from_db()
    assert message.attempt_count == 0
    saved = client.post(f"/callbacks/{message.pk}/attempt/", {**payload, "attempt-exception_reason": "Zo afgesproken"})
    assert saved.status_code == 302
    attempt = Attempt.objects.get(message=message)
    assert attempt.exception_reason == "Zo afgesproken"
    page = client.get(f"/callbacks/{message.pk}/").content.decode()
    assert page.count("Zo afgesproken") == 2  # in the attempts and in the timeline


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_the_list_row_shows_the_wishes(client, receptionist, colleague):
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=TUESDAY_10 + timedelta(hours=5),
        window_not_between_start=time(17, 30),
        window_not_between_end=time(19),
    )
    MessageFactory(
        taken_by=receptionist, owner=colleague, deadline=TUESDAY_10 + timedelta(hours=6), caller_name="Zonder Wensen"
    )
    login_across_time(client, colleague)
    page = client.get("/callbacks/").content.decode()
    assert page.count('data-test="wishes"') == 1
    assert "Wensen: niet tussen 17:30 en 19:00" in page


@pytest.mark.django_db
@pytest.mark.clock(at=datetime(2026, 12, 1, 9, 1, tzinfo=AMS))
@pytest.mark.usefixtures("clock")
def test_the_digest_shows_the_wishes(receptionist, colleague, django_capture_on_commit_callbacks):
    MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        deadline=TUESDAY_10 + timedelta(hours=5),
        window_between_start=time(10),
        window_between_end=time(12),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(now=datetime(2026, 12, 1, 9, 1, tzinfo=AMS)) == 1
    assert "Wensen van de beller: alleen tussen 10:00 en 12:00" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.clock(at=TUESDAY_10)
@pytest.mark.usefixtures("clock")
def test_retention_wipes_the_exception_reasons(receptionist, colleague):
    from callbacks.services.retention import message_batch_anonymise

    message = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status="handled",
        handled_at=TUESDAY_10,
        promise_exception_reason="Pieter is doordeweeks in het ziekenhuis",
    )
    Attempt.objects.create(
        message=message, made_by=colleague, result=Attempt.Result.NO_ANSWER, exception_reason="Pieter werkt 's avonds"
    )
    message.events.create(actor=colleague, kind="attempt", changes={"promise_exception_reason": ["", "Pieter werkt"]})
    assert message_batch_anonymise(ids=[message.pk], now=TUESDAY_10) == 1
    message.refresh_from_db()
    assert message.promise_exception_reason == ""
    assert list(message.attempts.values_list("exception_reason", flat=True)) == [""]
    assert "Pieter" not in str(list(message.events.values_list("changes", flat=True)))
