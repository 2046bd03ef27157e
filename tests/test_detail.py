"""The message detail page: what it costs to read, what its timeline holds, and how its forms and lists read.

The page reads the message and whether the person may act on it in one statement (Message.objects.visible_to,
selectors.with_may_act), reads its timeline in a fixed number of queries (selectors.message_timeline; the
people its facts name, the calls, attempts and events only when the page's cached copy of them misses)
and renders everything in templates: the action forms through crispy-bootstrap5.
"""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Absence, Team, User
from callbacks import selectors, services
from callbacks.models import CallLog, Message, Outcome, Status
from callbacks.services.retention import message_batch_anonymise
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory
from tests.form_markup import Page

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

NUMBER = "+31612345678"


def _history(receptionist, owner, count: int) -> None:
    """Earlier messages from NUMBER, handled, one a day before NOW."""
    for day in range(1, count + 1):
        MessageFactory(
            taken_by=receptionist,
            owner=owner,
            status=Status.HANDLED,
            outcome=Outcome.SOLVED,
            taken_at=NOW - timedelta(days=day),
            reason=f"Eerdere vraag {day}",
        )


def _busy(message: Message, colleague: User, receptionist: User) -> Message:
    """Two attempts, a repeat call and a correction: every kind of row the timeline reads."""
    for result in ("no_answer", "voicemail"):
        message = services.attempt_log(
            message=message, version=message.version, by=colleague, result=result, note=f"poging {result}"
        )
    CallLog.objects.create(
        message=message,
        called_at=NOW - timedelta(minutes=5),
        taken_by=receptionist,
        note="Belde nogmaals",
        intake_token=uuid.uuid4(),
    )
    return services.message_correct(
        message=message, version=message.version, by=receptionist, values={"caller_name": "Piet de Boer"}
    )


def _detail_queries(client, message: Message) -> tuple[int, str]:
    """The queries of a view once the office's configuration (accounts/configuration_cache.py) and the
    navigation's owed counts (callbacks/models/generations.py) are in the cache, with the timeline drawn
    afresh (nothing in the fragments cache)."""
    client.get(f"/callbacks/{message.pk}/")
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/callbacks/{message.pk}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _facts(page: str) -> str:
    """The message's facts as the page shows them (its <dl>)."""
    return page.split('<dl class="row mb-3">')[1].split("</dl>")[0]


# --- What it costs -------------------------------------------------------------------------------


def test_the_detail_page_costs_the_same_queries_with_1_or_30_earlier_messages(bram, receptionist, colleague):
    _history(receptionist, colleague, 1)
    few = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    few_queries, few_page = _detail_queries(bram, few)
    _history(receptionist, colleague, 29)
    many = _busy(
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
        colleague,
        receptionist,
    )
    many_queries, many_page = _detail_queries(bram, many)
    assert few_page.count('class="mb-1"><a href="/callbacks/') == 1
    assert many_page.count('class="mb-1"><a href="/callbacks/') == 31  # the 30 above and the first message
    assert 'data-test="earlier-more"' not in many_page
    """The queries of a view once the office's configuration (accounts/configuration_cache.py) and the
    navigation's owed counts (callbacks/models/generations.py) are in the cache, with the timeline drawn
    afresh (nothing in the fragments cache)."""


def test_a_frequent_caller_shows_the_newest_50_and_how_many_there_are(bram, receptionist, colleague):
    _history(receptionist, colleague, 53)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    queries, page = _detail_queries(bram, message)
    assert page.count('class="mb-1"><a href="/callbacks/') == selectors.EARLIER_SHOWN
    assert "Eerdere vraag 1<" in page and "Eerdere vraag 50<" in page and "Eerdere vraag 51<" not in page
    assert re.search(r'data-test="earlier-more">[^<]*50[^<]*53', page)
    assert queries == 9  # the total is counted in the same query; the people named in one more


def test_a_team_mate_sees_and_acts_at_the_owners_cost(client, receptionist, colleague):
    mate = make_user("carla", "colleague")
    Team.objects.get(name="Verkoop").members.add(mate)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    login_across_time(client, mate)
    queries, page = _detail_queries(client, message)
    assert 'data-test="attempt-form"' in page and 'data-test="owner">Bram' in page
    assert queries == 9  # the same: the membership is kept with the configuration


def test_a_handled_message_shows_its_handler_without_reading_more(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    services.attempt_log(
        message=message,
        version=message.version,
        by=colleague,
        result="reached",
        outcome=Outcome.SOLVED,
        note="Offerte nagestuurd",
    )
    queries, page = _detail_queries(bram, message)
    assert "Offerte nagestuurd · Bram" in page and 'data-test="attempts"' in page
    assert 'data-test="handle-form"' not in page
    assert queries == 9


def test_a_stand_in_sees_whom_the_caller_asked_for(bram, receptionist, colleague, other_colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    Message.objects.filter(pk=message.pk).update(intended_user=other_colleague)
    _queries, page = _detail_queries(bram, message)
    assert "(vroeg naar Daan)" in page


# --- Who may see and act on which message ---------------------------------------------------------

# The kinds of message, by who took it and who owns it; each person's answers below as (may see, may act).
KINDS = ["bram's", "daan's", "sales team's", "service team's", "taken by bram for daan", "daan's in sales"]
MAY = {
    "anna": [(True, False), (True, False), (True, False), (False, False), (False, False), (True, False)],
    "roos": [(False, False), (False, False), (False, False), (True, False), (False, False), (False, False)],
    "bram": [(True, True), (False, False), (True, True), (False, False), (True, False), (True, True)],
    "daan": [(False, False), (True, True), (False, False), (True, True), (True, True), (True, True)],
    "carla": [(True, True), (False, False), (True, True), (False, False), (False, False), (True, True)],
    "mira": [(True, True)] * 6,
    "olaf": [(False, False)] * 6,
}


def test_each_role_sees_and_acts_on_exactly_its_messages(receptionist, colleague, other_colleague, manager, outsider):
    mate = make_user("carla", "colleague")
    sales, service = Team.objects.get(name="Verkoop"), Team.objects.get(name="Service")
    sales.members.add(mate)
    second_receptionist = make_user("roos", "receptionist")
    messages = [
        MessageFactory(taken_by=receptionist, owner=colleague),
        MessageFactory(taken_by=receptionist, owner=other_colleague),
        MessageFactory(taken_by=receptionist, owner=None, team=sales),
        MessageFactory(taken_by=second_receptionist, owner=None, team=service),
        MessageFactory(taken_by=colleague, owner=other_colleague),
        MessageFactory(taken_by=receptionist, owner=other_colleague, team=sales),
    ]
    people = [receptionist, second_receptionist, colleague, other_colleague, mate, manager, outsider]
    for person in people:
        fresh = User.objects.get(pk=person.pk)
        listed = set(selectors.messages_visible_to(fresh).values_list("pk", flat=True))
        for kind, message, (may_see, may_act) in zip(KINDS, messages, MAY[person.username], strict=True):
            loaded = Message.objects.get(pk=message.pk)
            assert selectors.can_see(fresh, loaded) is may_see, (person.username, kind, "see")
            assert (message.pk in listed) is may_see, (person.username, kind, "listed")
            assert selectors.can_act_on(fresh, loaded) is may_act, (person.username, kind, "act")


def test_others_get_404_and_no_hint(client, receptionist, colleague, other_colleague):
    message = MessageFactory(taken_by=receptionist, owner=other_colleague)
    login_across_time(client, colleague)
    assert client.get(f"/callbacks/{message.pk}/").status_code == 404
    assert client.get("/callbacks/99999999/").status_code == 404


# --- What message_timeline holds ------------------------------------------------------------------


def test_the_timeline_holds_the_messages_rows_in_order_and_the_callers_other_messages(
    receptionist, colleague, other_colleague
):
    _history(receptionist, colleague, 3)
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31699999999")  # another caller
    message = _busy(
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
        colleague,
        receptionist,
    )
    message = services.message_reassign(
        message=message,
        version=message.version,
        by=colleague,
        to_user=other_colleague,
        to_team=None,
        reason="Daan weet dit",
    )
    plain = Message.objects.get(pk=message.pk)
    timeline = selectors.message_timeline(plain)

    def seen(rows, *names):
        return [tuple(str(getattr(row, name)) for name in names) for row in rows]

    assert seen(timeline["calls"], "pk", "called_at", "taken_by", "note") == seen(
        message.calls.select_related("taken_by"), "pk", "called_at", "taken_by", "note"
    )
    assert seen(timeline["attempts"], "pk", "made_at", "made_by", "result", "note") == seen(
        message.attempts.select_related("made_by"), "pk", "made_at", "made_by", "result", "note"
    )
    events = list(message.events.select_related("actor"))
    assert [(e.pk, e.at, e.kind, str(e.actor), e.note, e.changes) for e in timeline["events"]] == [
        (e.pk, e.at, e.kind, str(e.actor), e.note, e.changes) for e in events
    ]
    assert [e.change_rows for e in timeline["events"]] == [
        selectors.timeline._with_change_rows(e).change_rows for e in events
    ]
    assert any(e.changes for e in events)  # the correction and the reassignment, as decoded JSON
    earlier = Message.objects.filter(caller_number=NUMBER).exclude(pk=message.pk).order_by("-taken_at")
    assert seen(timeline["earlier"], "pk", "taken_at", "status", "outcome", "reason") == seen(
        earlier, "pk", "taken_at", "status", "outcome", "reason"
    )
    assert timeline["earlier_total"] == 3
    assert all(row.taken_at.tzinfo is not None for row in timeline["earlier"])
    # The people the facts name, read in one query when asked for, and set as select_related would.
    with CaptureQueriesContext(connection) as people:
        described = timeline["described"]
        shown = (str(described.taken_by), described.owner_display, str(described.intended_user))
    assert shown == ("Anna", "Daan", "Bram") and len(people) == 1 and described.handled_by is None


def test_a_message_without_number_skips_the_earlier_messages(receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_number="")
    Message.objects.filter(pk=message.pk).update(owner_team=None)
    loaded = Message.objects.get(pk=message.pk)
    with CaptureQueriesContext(connection) as queries:
        timeline = selectors.message_timeline(loaded)
        assert timeline["earlier"] == [] and timeline["earlier_total"] == 0
        assert len(queries) == 0  # no number: no earlier messages; the rest is read when used
        assert timeline["attempts"] == [] and len(timeline["calls"]) == 1 and len(timeline["events"]) == 1
        assert str(timeline["described"].taken_by) == "Anna"
    assert len(queries) == 4  # events, calls, attempts, the people


def test_a_message_for_a_team_names_the_team_with_its_people(receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    Message.objects.filter(pk=message.pk).update(owner_user=None, intended_user=None)
    timeline = selectors.message_timeline(Message.objects.get(pk=message.pk))
    with CaptureQueriesContext(connection) as queries:
        described = timeline["described"]
        assert (described.owner_display, str(described.taken_by), described.intended_user) == ("Verkoop", "Anna", None)
    assert len(queries) == 2  # the people, the team


def test_a_page_served_from_its_kept_parts_reads_no_people_and_no_history(bram, receptionist, colleague):
    message = _busy(
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
        colleague,
        receptionist,
    )
    _drawn_queries, drawn = _detail_queries(bram, message)
    with CaptureQueriesContext(connection) as queries:
        served = bram.get(f"/callbacks/{message.pk}/").content.decode()
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries]
    assert not any('"accounts_user"' in query["sql"] for query in queries[2:])  # after the session's user: nobody
    assert not {'"callbacks_calllog"', '"callbacks_attempt"', '"callbacks_messageevent"'} & set(tables)
    assert len(queries) == 5  # session, user, the message, the earlier messages, the unread notices
    assert _facts(served) == _facts(drawn) and 'data-test="owner">Bram' in served


# --- How the page reads ---------------------------------------------------------------------------


def test_the_action_forms_label_every_field(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    page = Page(bram.get(f"/callbacks/{message.pk}/").content.decode())
    fields = page.fields()
    names = {field["name"] for field in fields}
    assert {"attempt-result", "attempt-note", "handle-outcome", "reassign-recipient"} <= names
    assert [field["name"] for field in fields if not page.label_of(field)] == []
    assert page.label_of(page.by_id("id_attempt-note")) == "Notitie"


def test_an_invalid_action_comes_back_with_its_errors_tied_to_the_fields(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    response = bram.post(
        f"/callbacks/{message.pk}/attempt/",
        {
            "attempt-version": str(message.version),
            "attempt-result": "bogus",
            "attempt-note": "<script>x</script>",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<script>x" not in html and "&lt;script&gt;x" in html  # the typed note, kept as text
    page = Page(html)
    first_choice = page.by_id("id_attempt-result_0")
    assert "is-invalid" in first_choice["class"].split()
    error = page.by_id("id_attempt-result_error")
    assert "invalid-feedback" in error["class"].split() and "geldige keuze" in error["text"]
    assert any(
        element["tag"] == "fieldset" and "id_attempt-result_error" in element.get("aria-describedby", "").split()
        for element in page.elements
    )  # a screen reader reads the error with the group of choices
    assert page.by_id("id_attempt-note")["value"] == "<script>x</script>"


def test_the_earlier_messages_link_to_each_with_status_outcome_and_short_reason(bram, receptionist, colleague):
    _history(receptionist, colleague, 1)
    hostile = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        status=Status.OPEN,
        reason="<script>x</script> " + "z" * 80,
        taken_at=NOW - timedelta(days=5),
    )
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_name="<script>naam</script>")
    html = bram.get(f"/callbacks/{message.pk}/").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;naam&lt;/script&gt;" in html
    page = Page(html)
    items = [element for element in page.elements if element["tag"] == "li" and element.get("class") == "mb-1"]
    texts = [item["text"] for item in items]
    assert texts[0] == "30 Nov 2026 · Afgehandeld (Opgelost) · Eerdere vraag 1"
    assert texts[1].startswith("26 Nov 2026 · Open · <script>x</script> zzz") and texts[1].endswith("…")
    assert len(texts[1].split(" · ")[2]) == 60
    links = [
        element["href"]
        for element in page.elements
        if element["tag"] == "a"
        and element.get("href", "").startswith("/callbacks/")
        and element["text"].endswith("2026")
    ]
    day_before = Message.objects.get(reason="Eerdere vraag 1")
    assert links == [f"/callbacks/{day_before.pk}/", f"/callbacks/{hostile.pk}/"]


# --- The cached timeline never shows what has changed ---------------------------------------------


def _timeline(page: str) -> str:
    """The calls, attempts and audit trail: the cached part of the page."""
    start = page.index('data-test="calls"')
    return page[start : page.index("</ol>", start)]


def test_an_attempt_made_after_the_timeline_was_cached_shows(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    assert "Voicemail ingesproken" not in _timeline(bram.get(f"/callbacks/{message.pk}/").content.decode())
    services.attempt_log(
        message=message, version=message.version, by=colleague, result="voicemail", note="Voicemail ingesproken"
    )
    assert "Voicemail ingesproken" in _timeline(bram.get(f"/callbacks/{message.pk}/").content.decode())


def test_routing_to_a_stand_in_shows_in_the_cached_timeline_without_a_new_version(bram, receptionist, colleague):
    carla = make_user("carla", "colleague", full_name="Carla Visser")
    team = colleague.teams.get()
    team.members.add(carla)
    message = MessageFactory(taken_by=receptionist, owner=carla, team=team, deadline=NOW + timedelta(hours=2))
    assert "<del>Carla Visser</del>" not in _timeline(bram.get(f"/callbacks/{message.pk}/").content.decode())
    Absence.objects.create(
        user=carla, stand_in=colleague, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=1)
    )
    assert services.messages_route_to_stand_ins(now=NOW) == 1
    assert Message.objects.get(pk=message.pk).version == message.version
    assert "<del>Carla Visser</del>" in _timeline(bram.get(f"/callbacks/{message.pk}/").content.decode())


def test_an_anonymised_message_does_not_keep_its_notes_in_the_cached_timeline(bram, receptionist, colleague):
    message = _busy(
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
        colleague,
        receptionist,
    )
    message = services.attempt_log(
        message=message,
        version=message.version,
        by=colleague,
        result="reached",
        outcome=Outcome.SOLVED,
        note="Offerte nagestuurd",
    )
    timeline = _timeline(bram.get(f"/callbacks/{message.pk}/").content.decode())
    assert "Belde nogmaals" in timeline and "Piet de Boer" in timeline and "Offerte nagestuurd" in timeline
    assert message_batch_anonymise(ids=[message.pk], now=NOW) == 1
    page = bram.get(f"/callbacks/{message.pk}/").content.decode()
    assert "Belde nogmaals" not in page and "Piet de Boer" not in page and "Offerte nagestuurd" not in page
