"""The message detail page: what it costs to read, and that its fast paths show what the ORM and crispy would.

The page reads the message by its id and checks it with selectors.can_see, reads everything else in one
statement (selectors.message_timeline) and renders its forms and earlier messages in Python
(callbacks/templatetags/). These tests hold each shortcut to the slower original it replaces.
"""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from accounts.models import Team, User
from callbacks import selectors, services
from callbacks.forms.work import AttemptForm, FollowUpForm, HandleForm, ReassignForm
from callbacks.models import CallLog, Message, Outcome, Status
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory
from tests.html_shape import MarkupShape

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

NUMBER = "+31612345678"


@pytest.fixture
def bram(client, colleague):
    login_across_time(client, colleague)
    return client


def _history(receptionist, owner, count: int) -> None:
    """Earlier messages from NUMBER, handled, one a day before NOW."""
    for day in range(1, count + 1):
        MessageFactory(taken_by=receptionist, owner=owner, status=Status.HANDLED, outcome=Outcome.SOLVED,
                       taken_at=NOW - timedelta(days=day), reason=f"Eerdere vraag {day}")


def _busy(message: Message, colleague: User, receptionist: User) -> Message:
    """Two attempts, a repeat call and a correction: every kind of row the timeline reads."""
    for result in ("no_answer", "voicemail"):
        message = services.attempt_log(message=message, version=message.version, by=colleague, result=result,
                                       note=f"poging {result}")
    CallLog.objects.create(message=message, called_at=NOW - timedelta(minutes=5), taken_by=receptionist,
                           note="Belde nogmaals", intake_token=uuid.uuid4())
    return services.message_correct(message=message, version=message.version, by=receptionist,
                                    values={"caller_name": "Piet de Boer"})


def _detail_queries(client, message: Message) -> tuple[int, str]:
    """The queries of a view once the office's configuration is in the cache (accounts/configuration_cache.py)."""
    client.get(f"/callbacks/{message.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/callbacks/{message.pk}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


# --- What it costs -------------------------------------------------------------------------------


def test_the_detail_page_costs_the_same_queries_with_1_or_30_earlier_messages(bram, receptionist, colleague):
    _history(receptionist, colleague, 1)
    few = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    few_queries, few_page = _detail_queries(bram, few)
    _history(receptionist, colleague, 29)
    many = _busy(MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
                 colleague, receptionist)
    many_queries, many_page = _detail_queries(bram, many)
    assert few_page.count('class="mb-1"><a href="/callbacks/') == 1
    assert many_page.count('class="mb-1"><a href="/callbacks/') == 31  # the 30 above and the first message
    assert 'data-test="earlier-more"' not in many_page
    # Session, user, the permissions (Django's ModelBackend: the user's and their groups'), the navigation's
    # counts (phone duty is in the cache); the message; its timeline.
    assert few_queries == many_queries == 7


def test_a_frequent_caller_shows_the_newest_50_and_how_many_there_are(bram, receptionist, colleague):
    _history(receptionist, colleague, 53)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    queries, page = _detail_queries(bram, message)
    assert page.count('class="mb-1"><a href="/callbacks/') == selectors.EARLIER_SHOWN
    assert "Eerdere vraag 1<" in page and "Eerdere vraag 50<" in page and "Eerdere vraag 51<" not in page
    assert re.search(r'data-test="earlier-more">[^<]*50[^<]*53', page)
    assert queries == 8  # and one count for the total


def test_a_team_mate_sees_and_acts_asking_the_membership_once(client, receptionist, colleague):
    mate = make_user("carla", "colleague")
    Team.objects.get(name="Verkoop").members.add(mate)
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    login_across_time(client, mate)
    queries, page = _detail_queries(client, message)
    assert 'data-test="attempt-form"' in page and 'data-test="owner">Bram' in page
    assert queries == 8  # the membership, asked once for seeing and acting


def test_a_handled_message_shows_its_handler_without_reading_more(bram, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    services.attempt_log(message=message, version=message.version, by=colleague, result="reached",
                         outcome=Outcome.SOLVED, note="Offerte nagestuurd")
    queries, page = _detail_queries(bram, message)
    assert "Offerte nagestuurd · Bram" in page and 'data-test="attempts"' in page
    assert 'data-test="handle-form"' not in page
    assert queries == 7


def test_a_stand_in_sees_whom_the_caller_asked_for(bram, receptionist, colleague, other_colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2))
    Message.objects.filter(pk=message.pk).update(intended_user=other_colleague)
    _queries, page = _detail_queries(bram, message)
    assert "(vroeg naar Daan)" in page


# --- can_see is messages_visible_to for one message ---------------------------------------------


def test_can_see_agrees_with_messages_visible_to_for_every_role(receptionist, colleague, other_colleague, manager,
                                                                  outsider):
    mate = make_user("carla", "colleague")
    sales = Team.objects.get(name="Verkoop")
    sales.members.add(mate)
    second_receptionist = make_user("roos", "receptionist")
    messages = [
        MessageFactory(taken_by=receptionist, owner=colleague),  # bram's, in his team
        MessageFactory(taken_by=receptionist, owner=other_colleague),  # daan's, another team
        MessageFactory(taken_by=receptionist, owner=None, team=sales),  # the whole sales team's
        MessageFactory(taken_by=second_receptionist, owner=None, team=Team.objects.get(name="Service")),
        MessageFactory(taken_by=colleague, owner=other_colleague),  # taken by bram for daan
        MessageFactory(taken_by=receptionist, owner=other_colleague, team=sales),  # daan's, owned by sales
    ]
    people = [receptionist, second_receptionist, colleague, other_colleague, mate, manager, outsider]
    for person in people:
        visible = set(selectors.messages_visible_to(person).values_list("pk", flat=True))
        fresh = User.objects.get(pk=person.pk)
        for message in messages:
            loaded = Message.objects.get(pk=message.pk)
            assert selectors.can_see(fresh, loaded) == (message.pk in visible), (person.username, message.pk)


def test_others_get_404_and_no_hint(client, receptionist, colleague, other_colleague):
    message = MessageFactory(taken_by=receptionist, owner=other_colleague)
    login_across_time(client, colleague)
    assert client.get(f"/callbacks/{message.pk}/").status_code == 404
    assert client.get("/callbacks/99999999/").status_code == 404


# --- message_timeline reads what the ORM would ----------------------------------------------------


def test_the_timeline_statement_reads_what_the_orm_reads(receptionist, colleague, other_colleague):
    _history(receptionist, colleague, 3)
    MessageFactory(taken_by=receptionist, owner=colleague, caller_number="+31699999999")  # another caller
    message = _busy(MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(hours=2)),
                    colleague, receptionist)
    message = services.message_reassign(message=message, version=message.version, by=colleague,
                                        to_user=other_colleague, to_team=None, reason="Daan weet dit")
    plain = Message.objects.get(pk=message.pk)
    timeline = selectors.message_timeline(plain)

    def seen(rows, *names):
        return [tuple(str(getattr(row, name)) for name in names) for row in rows]

    assert seen(timeline["calls"], "pk", "called_at", "taken_by", "note") == seen(
        message.calls.select_related("taken_by"), "pk", "called_at", "taken_by", "note")
    assert seen(timeline["attempts"], "pk", "made_at", "made_by", "result", "note") == seen(
        message.attempts.select_related("made_by"), "pk", "made_at", "made_by", "result", "note")
    events = list(message.events.select_related("actor"))
    assert [(e.pk, e.at, e.kind, str(e.actor), e.note, e.changes) for e in timeline["events"]] == [
        (e.pk, e.at, e.kind, str(e.actor), e.note, e.changes) for e in events]
    assert [e.change_rows for e in timeline["events"]] == [selectors.timeline._with_change_rows(e).change_rows for e in events]
    assert any(e.changes for e in events)  # the correction and the reassignment, as decoded JSON
    earlier = Message.objects.filter(caller_number=NUMBER).exclude(pk=message.pk).order_by("-taken_at")
    assert seen(timeline["earlier"], "pk", "taken_at", "status", "outcome", "reason") == seen(
        earlier, "pk", "taken_at", "status", "outcome", "reason")
    assert timeline["earlier_total"] == 3
    assert all(row.taken_at.tzinfo is not None for row in timeline["earlier"])
    # The message's own people and team, set as select_related would.
    with CaptureQueriesContext(connection) as lazy:
        shown = (str(plain.taken_by), plain.owner_display, str(plain.intended_user), str(plain.owner_team))
    assert shown == ("Anna", "Daan", "Bram", "Verkoop") and len(lazy) == 0


def test_a_message_without_number_attempts_or_team_reads_in_one_statement(receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, caller_number="")
    Message.objects.filter(pk=message.pk).update(owner_team=None)
    with CaptureQueriesContext(connection) as queries:
        timeline = selectors.message_timeline(Message.objects.get(pk=message.pk))
    assert len(queries) == 2
    assert timeline["earlier"] == [] and timeline["attempts"] == [] and len(timeline["calls"]) == 1


# --- The Python markup is the template's ---------------------------------------------------------


def _forms(users, teams, bound: bool):
    if not bound:
        return [AttemptForm(initial={"version": 2}), HandleForm(initial={"version": 2}),
                ReassignForm(initial={"version": 2}, users=users, teams=teams), FollowUpForm(initial={"version": 2})]
    forms = [
        AttemptForm({"attempt-version": "2", "attempt-result": "bogus", "attempt-note": 'x<y"&',
                     "attempt-next_try_at": "2000-01-01T10:00"}),
        HandleForm({"handle-version": "", "handle-outcome": "solved", "handle-follow_up_on": "2000-01-01"}),
        ReassignForm({"reassign-version": "2", "reassign-recipient": "<b>Niemand</b>"}, users=users, teams=teams),
        FollowUpForm({"follow_up-version": "3", "follow_up-note": "a" * 501}),
    ]
    for form in forms:
        assert not form.is_valid()
    return forms


@pytest.mark.parametrize("bound", [False, True])
def test_the_action_forms_render_as_crispy_renders_them(colleague, bound):
    users, teams = selectors.recipients_all()
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    ours = Template("{% load bootstrap_fields %}{{ form|bootstrap_fields }}")
    # Two sets of forms: crispy sets classes on the widgets it renders.
    for theirs, mine in zip(_forms(users, teams, bound), _forms(users, teams, bound), strict=True):
        expected = crispy.render(Context({"form": theirs}))
        assert MarkupShape(ours.render(Context({"form": mine}))).items == MarkupShape(expected).items, type(mine).__name__
    if bound:
        rendered = ours.render(Context({"form": _forms(users, teams, True)[2]}))
        assert "&lt;b&gt;Niemand&lt;/b&gt;" in rendered and 'aria-invalid="true"' in rendered


def test_the_earlier_messages_render_as_the_template_loop_did(receptionist, colleague):
    _history(receptionist, colleague, 2)
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.OPEN, reason="<script>x</script> " + "z" * 80,
                   taken_at=NOW - timedelta(days=5))
    message = MessageFactory(taken_by=receptionist, owner=colleague)
    earlier = selectors.message_timeline(Message.objects.get(pk=message.pk))["earlier"]
    loop = Template(
        "{% for item in earlier %}"
        """<li class="mb-1"><a href="{% url 'callbacks:detail' item.pk %}">{{ item.taken_at|date:"j M Y" }}</a> · """
        "{{ item.get_status_display }}{% if item.outcome %} ({{ item.get_outcome_display }}){% endif %} · "
        "{{ item.reason|truncatechars:60 }}</li>{% endfor %}"
    )
    tag = Template("{% load detail_rows %}{% earlier_items earlier %}")
    for language in ("nl", "en"):
        from django.utils import translation

        with translation.override(language):
            expected = loop.render(Context({"earlier": earlier}))
            assert tag.render(Context({"earlier": earlier})) == expected
    assert "&lt;script&gt;" in expected and len(earlier) == 3
