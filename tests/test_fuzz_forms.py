"""No input ever produces a 500: generated input to every form and every filter of the project.

Each test posts (or GETs) what hypothesis makes of a form: every field missing, valid or hostile
(unicode, control characters, NUL bytes, very long text, SQL and HTML payloads, numbers, dates in
odd formats, repeated fields), plus fields the form does not know. The answer must be 2xx, 3xx or
4xx. Where an input is accepted and stored, the pages that show it are fetched too, so a value
that saves but cannot be shown is caught as well.
"""

import copy
import traceback
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Team
from callbacks.models import CallDraft, Status
from tests.clock import running_clock
from tests.factories import MessageFactory
from tests.intake_helpers import CALLER, DESK, REASON, RECIPIENT, URL, post_step, start_call, step_url, token_of

# Also in the PostgreSQL pass: it refuses NUL bytes in text that SQLite stores. "Now" is the clock's
# (tests/clock.py): the messages, the moments drawn around now and the pages all stand on one moment.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("clock")]

# Sized so that the whole file runs in well under a minute; each example is one to seven requests.
FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
FEW = settings(FUZZ, max_examples=10)  # for examples that take a whole call through the wizard

# --- what hostile input looks like ---------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' OR '1'='1",
    "1; DROP TABLE callbacks_message; --",
    "=cmd|' /C calc'!A0",
    "{{ 7|add:7 }}{% debug %}",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\u202egnp.exe",
    "\ufeff",
    "😀" * 40,
    "ﷺ" * 30,
    " ",
    "\t\n",
    "null",
    "None",
    "true",
    "-1",
    "0",
    "1e309",
    "NaN",
    "[]",
    "{}",
    "//evil.example/",
    "javascript:alert(1)",
]
DATE_FORMATS = [
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%H:%M",
    "%H:%M:%S",
    "%Y%m%d",
    "%d %B %Y",
    "%Y-%m-%dT%H:%M:%S.%f",
]
ODD_DATES = [
    "9999-12-31",
    "9999-12-31T23:59",
    "0001-01-01",
    "0001-01-01T00:00",
    "2024-02-30",
    "2024-13-01",
    "00:00",
    "23:59",
    "24:00",
    "12:60",
    "2030-03-31T02:30",
    "2030-10-27T02:30",
    "0000-00-00",
    "today",
]

# Lone surrogates (category Cs) cannot be encoded as UTF-8, so no browser can send them (nor the test client).
characters = st.characters(exclude_categories=("Cs",))
texts = st.text(characters, max_size=60)
long_texts = st.builds(lambda char, count: char * count, characters, st.integers(150, 20_000))
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats()).map(str)


def _formatted(moment: datetime, fmt: str) -> str:
    return moment.strftime(fmt.replace("%Y", f"{moment.year:04d}"))  # strftime does not pad years before 1000


near_moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))
any_moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59))
dates = st.one_of(
    st.sampled_from(ODD_DATES),
    st.builds(_formatted, st.one_of(near_moments, any_moments), st.sampled_from(DATE_FORMATS)),
)
hostile = st.one_of(texts, long_texts, numbers, dates, st.sampled_from(PAYLOADS))
# A field is sent once, several times, or not at all (None).
sent = st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3))


# Valid values that still reach the edges: any time of day, moments from the past to the year 9999.
times_of_day = st.times().map(lambda moment: moment.strftime("%H:%M"))


def _from_now(days: int, minutes: int, fmt: str) -> str:
    return (running_clock().local() + timedelta(days=days, minutes=minutes)).strftime(fmt)


def moments(fmt: str) -> st.SearchStrategy[str]:
    """Moments around now (a day ago to two years ahead), at the very ends of the calendar and anywhere
    in between, in `fmt`."""
    ends = st.sampled_from([datetime(9999, 12, 31, 23, 59), datetime(9999, 1, 1), datetime(1, 1, 1)])
    return st.one_of(
        st.builds(_from_now, st.integers(-1, 800), st.integers(0, 24 * 60), st.just(fmt)),
        st.builds(_formatted, st.one_of(ends, any_moments), st.just(fmt)),
    )


def _valid_values(valid: dict[str, object], prefix: str) -> dict[str, st.SearchStrategy]:
    return {
        f"{prefix}{name}": value if isinstance(value, st.SearchStrategy) else st.just(value)
        for name, value in valid.items()
    }


def edges(valid: dict[str, object], *, prefix: str = "") -> st.SearchStrategy[dict]:
    """Every field valid; a valid value may be a strategy reaching the edges of what the form accepts."""
    return st.fixed_dictionaries(_valid_values(valid, prefix))


def hostile_form(valid: dict[str, object], *, prefix: str = "") -> st.SearchStrategy[dict]:
    """Each field missing, valid or hostile, plus a few fields the form does not know."""
    fields = {name: st.one_of(st.none(), value, sent) for name, value in _valid_values(valid, prefix).items()}
    extra = st.dictionaries(st.text(characters, min_size=1, max_size=20), sent, max_size=2)
    return st.builds(
        lambda known, unknown: {**unknown, **{k: v for k, v in known.items() if v is not None}},
        st.fixed_dictionaries(fields),
        extra,
    )


def form(valid: dict[str, object], *, prefix: str = "") -> st.SearchStrategy[dict]:
    """Valid at the edges, so whole forms get through and are saved, or hostile."""
    return st.one_of(edges(valid, prefix=prefix), hostile_form(valid, prefix=prefix))


def _client(user=None) -> Client:
    client = Client()
    client.raise_request_exception = False
    if user is not None:
        client.force_login(user)
    return client


def assert_no_server_error(response, data=None) -> None:
    if response.status_code >= 500:
        detail = "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
        raise AssertionError(
            f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} "
            f"answered {response.status_code} for {data!r}\n{detail}"
        )


def _get_and_check(client: Client, url: str, params=None) -> None:
    assert_no_server_error(client.get(url, params or {}), params)


def _with_team(params: dict, team: Team) -> dict:
    """The valid team value of a strategy is a placeholder: the team's id is known only in the test."""
    return {**params, "team": str(team.pk)} if params.get("team") == "TEAM" else params


# --- the people and things the forms work on ---------------------------------------------------------


@pytest.fixture
def office(receptionist, colleague, other_colleague, manager):
    team = Team.objects.get(name="Verkoop")
    # An open message from the caller of the intake tests, so the caller step offers "add to this one".
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31612345678")
    return {"anna": receptionist, "bram": colleague, "daan": other_colleague, "mira": manager, "team": team}


@pytest.fixture
def logged_in(office):
    """One logged-in client per person, shared by the examples of a test (logging in is not what is tested)."""
    return {name: _client(office[name]) for name in ("anna", "bram", "daan", "mira")}


# --- accounts ---------------------------------------------------------------------------------------------


@FUZZ
@given(data=form({"username": "anna", "password": "correct horse battery", "next": "/callbacks/"}))
def test_login(office, data):
    assert_no_server_error(_client().post("/accounts/login/", data), data)


@FUZZ
@given(data=form({"email": "anna@example.test"}))
def test_password_reset(office, data):
    assert_no_server_error(_client().post("/accounts/password/reset/", data), data)


@FUZZ
@given(
    data=form({"new_password1": "Zeer-lang wachtwoord 42", "new_password2": "Zeer-lang wachtwoord 42"}),
    uidb64=st.one_of(st.none(), texts),
    token=st.one_of(st.none(), texts),
)
def test_password_reset_confirm(office, data, uidb64, token):
    """A real reset link (or a mangled one), then the new password form."""
    user = office["anna"]
    uid = urlsafe_base64_encode(force_bytes(user.pk)) if uidb64 is None else uidb64.replace("/", "") or "x"
    key = default_token_generator.make_token(user) if token is None else token.replace("/", "") or "x"
    client = _client()
    response = client.get(f"/accounts/password/reset/{uid}/{key}/", follow=True)
    assert_no_server_error(response, (uid, key))
    assert_no_server_error(client.post(response.request["PATH_INFO"], data), data)


@FUZZ
@given(
    data=form(
        {
            "old_password": "correct horse battery",
            "new_password1": "Zeer-lang wachtwoord 42",
            "new_password2": "Zeer-lang wachtwoord 42",
        }
    )
)
def test_password_change(logged_in, data):
    assert_no_server_error(logged_in["daan"].post("/accounts/password/change/", data), data)


@FUZZ
@given(
    data=form(
        {"full_name": "Bram Bakker", "email": "bram@example.test", "phone_extension": "214", "preferred_language": "en"}
    )
)
def test_profile(logged_in, data):
    client = logged_in["bram"]
    assert_no_server_error(client.post("/accounts/profile/", data), data)
    _get_and_check(client, "/accounts/profile/")
    _get_and_check(client, "/")


@FUZZ
@given(data=form({"language": "en", "next": "/callbacks/"}), as_bram=st.booleans())
def test_language(logged_in, data, as_bram):
    client = logged_in["bram"] if as_bram else _client()
    assert_no_server_error(client.post("/accounts/language/", data), data)


# --- the intake, one step at a time, reached through the real flow ------------------------------------

CALL_TYPES = ["question", "complaint", "sales", "appointment", "other"]
# What a careful receptionist types at each step; the promise left empty promises the team's time.
STEP_FIELDS = {
    "recipient": RECIPIENT,
    "caller": {**CALLER, "add_to": "new"},
    "reason": REASON,
    "promise": {},
    "readback": {"confirmed": "on"},
    "close": {"token": None},  # filled in with the call's own token
}
STEPS = list(STEP_FIELDS)


def _window(name: str) -> dict[str, st.SearchStrategy[str]]:
    """Both times of a window from one draw: mostly empty, else any two different times in order."""
    times = st.lists(times_of_day, min_size=2, max_size=2, unique=True).map(sorted)
    pair = st.shared(st.sampled_from([("", "")] * 3) | times, key=name)
    return {f"{name}_start": pair.map(lambda times: times[0]), f"{name}_end": pair.map(lambda times: times[1])}


# What the fuzzer starts from at each step: every field of the form, valid values reaching the edges.
FUZZ_FIELDS = {
    **STEP_FIELDS,
    "recipient": {**RECIPIENT, "decision": st.sampled_from(["message", "helped"]), "note": "Uitgelegd"},
    "reason": {
        **REASON,
        "call_type": st.sampled_from(CALL_TYPES),
        "tone": st.sampled_from(["calm", "annoyed", "angry"]),
    },
    "promise": {
        **_window("between"),
        **_window("not_between"),
        "not_before": st.just("") | moments("%Y-%m-%d"),
        "deadline": st.just("") | moments("%Y-%m-%dT%H:%M"),
        "later_reason": "Klant is op reis",
    },
}


@pytest.fixture
def wizard_at(office):
    """A receptionist's client with a call brought to each step by real submits; `restore` gives a new
    call (a draft of its own) holding what the first call held at that step."""
    client = _client(office["anna"])
    start_call(client)
    states = {}
    for step, following in zip(STEPS, STEPS[1:] + [None]):
        draft = CallDraft.objects.get(token=token_of(client))
        states[step] = copy.deepcopy({"step": draft.step, "data": draft.data, "kept": draft.kept})
        if following is not None:
            response = post_step(client, step, STEP_FIELDS[step])
            assert response.status_code == 200 and response.context["current_step"] == following

    def restore(step: str) -> Client:
        draft = CallDraft.objects.create(taken_by=office["anna"], **copy.deepcopy(states[step]))
        client.intake_token = str(draft.token)  # each example is a call of its own
        return client

    return restore


def _submit_and_save(client: Client, step: str, fields: dict) -> None:
    assert_no_server_error(client.post(step_url(token_of(client), step), fields), fields)
    _finish_call(client)
    _get_and_check(client, DESK)


@pytest.mark.parametrize("step", [step for step in STEPS if step != "promise"])
@FEW
@given(data=st.data())
def test_intake_step_with_valid_edges(wizard_at, step, data):
    """Input the step accepts, up to its limits; the call is then completed and saved."""
    client = wizard_at(step)
    valid = {**FUZZ_FIELDS[step], **({"token": token_of(client)} if step == "close" else {})}
    _submit_and_save(client, step, data.draw(edges(valid, prefix=f"{step}-"), label="fields"))


@FUZZ
@given(fields=edges(FUZZ_FIELDS["promise"], prefix="promise-"))
@example(fields={"promise-deadline": "9999-12-31T23:59", "promise-later_reason": "Na de verbouwing"})  # overflowed
def test_the_promise_step_with_valid_edges(wizard_at, fields):
    _submit_and_save(wizard_at("promise"), "promise", fields)


@pytest.mark.parametrize("step", STEPS)
@FUZZ
@given(data=st.data())
def test_intake_step_with_hostile_input(wizard_at, step, data):
    """Hostile fields, and a hostile step in the URL, token or Back button."""
    client = wizard_at(step)
    valid = {**FUZZ_FIELDS[step], **({"token": token_of(client)} if step == "close" else {})}
    fields = data.draw(hostile_form(valid, prefix=f"{step}-"), label="fields")
    posted_step = data.draw(st.one_of(st.just(step), st.sampled_from([*STEPS, "nonsense"])), label="url step")
    token = data.draw(st.one_of(st.just(token_of(client)), st.uuids().map(str)), label="token")
    goto = data.draw(st.one_of(st.none(), st.sampled_from(STEPS), sent), label="goto")
    payload = {**fields, **({"goto": goto} if goto is not None else {})}
    response = client.post(step_url(token, posted_step), payload)
    assert_no_server_error(response, payload)
    draft = CallDraft.objects.filter(token=token_of(client)).first()
    if draft is not None and draft.step != step:
        _finish_call(client)  # what the step let through must also save
    _get_and_check(client, DESK)


@pytest.mark.parametrize("posted", ["promise", "readback", "nonsense", "goto promise"])
def test_a_step_the_call_has_not_reached_shows_the_step_it_is_at(wizard_at, posted):
    """Found by the fuzzer: a step posted before its earlier steps were filled in was a 500."""
    client = wizard_at("caller")
    step, payload = ("caller", {"goto": "promise"}) if posted == "goto promise" else (posted, {})
    response = client.post(step_url(token_of(client), step), payload, follow=True)
    assert response.status_code == 200
    assert response.context["current_step"] == "caller"


def _finish_call(client: Client, **typed) -> None:
    """Complete and save the call in progress from whatever step it is at, with careful input (or `typed`)."""
    for _step in STEPS:
        draft = CallDraft.objects.filter(token=token_of(client)).first()
        if draft is None:
            return  # saved (or never there)
        page = client.get(step_url(token_of(client), draft.step), follow=True)
        assert_no_server_error(page)
        step = page.context["current_step"]
        data = {"token": token_of(client)} if step == "close" else typed.get(step, STEP_FIELDS[step])
        response = post_step(client, step, data)
        assert_no_server_error(response, (step, data))
        if not response.redirect_chain and response.context and response.context.get("current_step") == step:
            return  # the call holds on to a problem in what was typed before: shown, not a crash


@FUZZ
@given(
    params=form({"number": "0612345678", "for": "Bram"}),
    status_params=form({"recipient": "Bram", "recipient-recipient": "Team Verkoop"}),
)
def test_intake_links_and_the_status_partial(logged_in, params, status_params):
    client = logged_in["anna"]
    _get_and_check(client, URL, params)
    _get_and_check(client, "/callbacks/new/status/", status_params)


# --- the colleague's actions ------------------------------------------------------------------------------

ACTIONS = {
    "attempt": {
        "version": "1",
        "result": st.sampled_from(["no_answer", "voicemail", "wrong_number"]),
        "note": "Voicemail ingesproken",
        "next_try_at": moments("%Y-%m-%dT%H:%M"),
    },
    "handle": {
        "version": "1",
        "outcome": st.sampled_from(["solved", "follow_up", "forwarded"]),
        "note": "Opgelost",
        "follow_up_on": moments("%Y-%m-%d"),
    },
    "reassign": {"version": "1", "recipient": "Daan", "reason": "Service gaat hierover"},
    "follow_up": {"version": "1", "note": "Werkt weer"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
@FUZZ
@given(data=st.data())
def test_colleague_action(clock, office, logged_in, action, data):
    bram, anna = office["bram"], office["anna"]
    if action == "follow_up":
        message = MessageFactory(
            taken_by=anna, owner=bram, status=Status.HANDLED, handled_at=clock.now(), follow_up_on=clock.today()
        )
    else:
        message = MessageFactory(taken_by=anna, owner=bram)
    fields = data.draw(form(ACTIONS[action], prefix=f"{action}-"), label="fields")
    htmx = data.draw(st.booleans(), label="htmx")
    response = logged_in["bram"].post(
        f"/callbacks/{message.pk}/{action.replace('_', '-')}/", fields, **({"HTTP_HX_REQUEST": "true"} if htmx else {})
    )
    assert_no_server_error(response, fields)
    if response.status_code == 302:  # saved: the pages that show it must still work
        _get_and_check(logged_in["bram"], f"/callbacks/{message.pk}/")
        _get_and_check(logged_in["bram"], "/callbacks/", {"status": "all"})
        _get_and_check(logged_in["mira"], "/dashboard/")


@FUZZ
@given(
    data=form(
        {
            "version": "1",
            "caller_name": "Pieter de Boer",
            "caller_number": "020-1234567",
            "caller_company": "Bakkerij",
            "caller_email": "pieter@example.test",
            "reason": "Offerte",
            "call_type": "complaint",
            "tone": "angry",
        }
    )
)
def test_correct(office, logged_in, data):
    message = MessageFactory(taken_by=office["anna"], owner=office["bram"])
    response = logged_in["anna"].post(f"/callbacks/{message.pk}/correct/", data)
    assert_no_server_error(response, data)
    if response.status_code == 302:
        _get_and_check(logged_in["anna"], f"/callbacks/{message.pk}/")
        _get_and_check(logged_in["bram"], "/callbacks/")


@FUZZ
@given(data=form({"anything": "x"}))
def test_notification_inbox(logged_in, data):
    client = logged_in["bram"]
    assert_no_server_error(client.post("/callbacks/notifications/", data), data)
    _get_and_check(client, "/callbacks/notifications/", data)


@FUZZ
@given(
    params=form(
        {"scope": "teams", "status": "all", "call_type": "complaint", "team": "TEAM", "period": "7", "page": "2"}
    )
)
def test_list_filters(office, logged_in, params):
    _get_and_check(logged_in["bram"], "/callbacks/", _with_team(params, office["team"]))


# --- the manager's pages ----------------------------------------------------------------------------------

minutes = st.integers(15, 60 * 24 * 10).map(str)


def _day(weekday: int) -> dict[str, st.SearchStrategy[str]]:
    """A day closed, or open from one time to a later one."""
    hours = st.shared(
        st.just(None) | st.lists(times_of_day, min_size=2, max_size=2, unique=True).map(sorted), key=f"day-{weekday}"
    )
    return {
        f"open_{weekday}": hours.map(lambda pair: "on" if pair else ""),
        f"opens_{weekday}": hours.map(lambda pair: pair[0] if pair else ""),
        f"closes_{weekday}": hours.map(lambda pair: pair[1] if pair else ""),
    }


RULES = {
    "action": "rules",
    "observed_holidays": st.lists(st.sampled_from(["King's Day", "Christmas Day", "Good Friday"])),
    "escalation_minutes": st.one_of(st.just("120"), minutes),
    "hold_email_outside_hours": "on",
    "check_moments": st.lists(times_of_day, min_size=1, max_size=4).map(", ".join),
    **{name: value for weekday in range(7) for name, value in _day(weekday).items()},
    **{f"handling_{kind}": st.one_of(st.just(""), minutes) for kind in CALL_TYPES},
}
NARROW = {
    "action": "rules",
    "escalation_minutes": "120",
    "check_moments": "09:00",
    "open_0": "on",
    "opens_0": "08:00",
    "closes_0": "08:01",
    "handling_complaint": "14400",
}


@FUZZ
@given(fields=form(RULES), call_type=st.sampled_from(CALL_TYPES))
@example(fields=NARROW, call_type="complaint")  # one minute a week: the deadline could not be computed
@example(fields=NARROW, call_type="question")  # ...nor the escalation moment
def test_team_rules(office, logged_in, fields, call_type):
    url = f"/dashboard/policies/{office['team'].pk}/"
    response = logged_in["mira"].post(url, fields)
    assert_no_server_error(response, fields)
    _get_and_check(logged_in["mira"], url)
    if response.status_code == 302:
        # Saved rules set the promise and escalation of the next message: a whole call must still save.
        intake = logged_in["anna"]
        start_call(intake)
        _finish_call(intake, reason={**REASON, "call_type": call_type})


@FEW
@given(
    fields=form({"action": "add_closure", "date": moments("%Y-%m-%d"), "description": "Kerst"})
    | form({"action": "remove_closure", "closure": st.integers(0, 50).map(str)})
)
def test_team_closure_days(office, logged_in, fields):
    url = f"/dashboard/policies/{office['team'].pk}/"
    response = logged_in["mira"].post(url, fields)
    assert_no_server_error(response, fields)
    _get_and_check(logged_in["mira"], url)
    if response.status_code == 302:
        intake = logged_in["anna"]
        start_call(intake)
        _finish_call(intake)


@FUZZ
@given(data=st.data())
def test_phone_duty(office, logged_in, data):
    people = [str(office[name].pk) for name in ("anna", "mira")]
    valid = {f"duty_{d}_{part}": people[d % 2] for d in range(5) for part in ("morning", "afternoon")}
    fields = data.draw(form(valid), label="fields")
    client = logged_in["mira"]
    assert_no_server_error(client.post("/dashboard/phone-duty/", fields), fields)
    _get_and_check(client, "/dashboard/phone-duty/")
    _get_and_check(client, "/dashboard/")


@pytest.mark.parametrize("url", ["/dashboard/statistics/", "/dashboard/statistics.csv", "/dashboard/messages.csv"])
@FUZZ
@given(params=form({"start": moments("%Y-%m-%d"), "end": moments("%Y-%m-%d"), "team": "TEAM"}))
def test_statistics(office, logged_in, url, params):
    _get_and_check(logged_in["mira"], url, _with_team(params, office["team"]))


@FEW
@given(params=form({"page": "1", "q": "x"}))
def test_any_query_string_on_the_other_pages(office, logged_in, params):
    message = MessageFactory(taken_by=office["anna"], owner=office["bram"])
    client = logged_in["mira"]
    for url in (
        "/",
        "/callbacks/badge/",
        f"/callbacks/{message.pk}/",
        "/dashboard/",
        "/dashboard/live/",
        "/dashboard/policies/",
        "/accounts/login/",
        "/accounts/password/reset/",
    ):
        _get_and_check(client, url, params)
