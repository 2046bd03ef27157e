"""My callbacks, bounded: each group shows its first rows and its true total, and a capped group links to
all of it, paginated. The overview is read in one raw SQL statement and its rows are prepared in Python
(selectors.worklist, _display); these tests hold both to what they replaced: work_messages (the ORM twin
the "Show all" pages use) and the row template that computed everything in tags and filters.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from callbacks import selectors, worklist_rows
from callbacks.models import Message, Outcome, Priority, Status
from callbacks.selectors import FOLLOW_UP, LATER, OVERDUE, TODAY
from callbacks.views import work
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory, make_messages

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]

SMALL_CAPS = {OVERDUE: 3, TODAY: 3, LATER: 2, FOLLOW_UP: 2}


@pytest.fixture
def bram(client, colleague):
    login_across_time(client, colleague)
    return client


@pytest.fixture
def small_caps(monkeypatch):
    for due, cap in SMALL_CAPS.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)


def _office(receptionist, colleague, *, overdue=5, today=4, later=3, follow_ups=3) -> dict[str, list[Message]]:
    """Messages for bram in every group, each group's deadlines in a shuffled order."""
    def opened(count, first, step):
        return [MessageFactory(taken_by=receptionist, owner=colleague, deadline=first + step * ((i * 7) % count),
                               caller_name=f"Beller {first:%H%M} {i}") for i in range(count)]

    return {
        OVERDUE: opened(overdue, NOW - timedelta(hours=5), timedelta(minutes=20)),
        TODAY: opened(today, NOW + timedelta(hours=1), timedelta(minutes=30)),
        LATER: opened(later, datetime(2026, 12, 2, 0, 0, tzinfo=AMS), timedelta(days=1)),  # midnight is later
        FOLLOW_UP: [MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED,
                                   outcome=Outcome.SOLVED,
                                   follow_up_on=date(2026, 11, 28) + timedelta(days=(i * 2) % follow_ups))
                    for i in range(follow_ups)],
    }


def _in_order(messages: list[Message], due: str) -> list[int]:
    key = (lambda m: (m.follow_up_on, m.pk)) if due == FOLLOW_UP else (lambda m: (m.deadline, m.pk))
    return [m.pk for m in sorted(messages, key=key)]


def _section(page: str, data_test: str) -> str:
    start = page.index(f'data-test="{data_test}"')
    return page[start:page.index("</section>", start)]


def _groups(worklist) -> dict[str, selectors.WorkGroup]:
    return {OVERDUE: worklist.overdue, TODAY: worklist.today, LATER: worklist.later, FOLLOW_UP: worklist.follow_ups}


# --- The caps ---------------------------------------------------------------------------------------


def test_each_group_shows_its_first_rows_and_its_true_total(bram, receptionist, colleague, small_caps):
    office = _office(receptionist, colleague)
    response = bram.get("/callbacks/")
    for due, group in _groups(response.context["worklist"]).items():
        assert [row.pk for row in group] == _in_order(office[due], due)[:SMALL_CAPS[due]], due
        assert group.total == len(office[due]) and group.capped
    page = response.content.decode()
    assert len(re.findall(r'data-test="message-row"', page)) == sum(SMALL_CAPS.values())
    assert "Te laat (5)" in _section(page, "group-overdue")
    assert "Vandaag (4)" in _section(page, "group-today")
    assert "Later (3)" in _section(page, "group-later")


def test_the_real_caps_keep_overdue_and_today_longer_than_later(bram, receptionist, colleague):
    """50 overdue, 50 today, 20 later and 20 follow-ups at most: overdue and today are what to do now."""
    assert selectors.WORKLIST_CAPS == {OVERDUE: 50, TODAY: 50, LATER: 20, FOLLOW_UP: 20}
    make_messages(60, taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    make_messages(30, taken_by=receptionist, owner=colleague, deadline=NOW + timedelta(days=3))
    response = bram.get("/callbacks/")
    worklist = response.context["worklist"]
    assert (len(worklist.overdue), worklist.overdue.total) == (50, 60)
    assert (len(worklist.later), worklist.later.total) == (20, 30)
    assert not worklist.today and not worklist.follow_ups
    page = response.content.decode()
    assert "Te laat (60)" in page and "Later (30)" in page
    assert 'href="?due=overdue"' in _section(page, "group-overdue")
    assert 'href="?due=later"' in _section(page, "group-later")


def test_a_group_within_its_cap_has_no_show_all_link(bram, receptionist, colleague, small_caps):
    _office(receptionist, colleague, overdue=3, today=1, later=2, follow_ups=2)
    response = bram.get("/callbacks/")
    assert not any(group.capped for group in _groups(response.context["worklist"]).values())
    assert 'data-test="show-all"' not in response.content.decode()


def test_the_page_makes_the_same_queries_whether_groups_are_capped_or_not(bram, receptionist, colleague, small_caps):
    _office(receptionist, colleague, overdue=1, today=1, later=1, follow_ups=1)
    bram.get("/callbacks/")  # both measured requests find the colleague's teams memoised
    with CaptureQueriesContext(connection) as few:
        assert bram.get("/callbacks/").status_code == 200
    _office(receptionist, colleague, overdue=20, today=20, later=20, follow_ups=20)
    with CaptureQueriesContext(connection) as many:
        response = bram.get("/callbacks/")
    assert all(group.capped for group in _groups(response.context["worklist"]).values())
    assert len(many) == len(few)
    reading_messages = [q["sql"] for q in many if "callbacks_message" in q["sql"]]
    assert len(reading_messages) == 2  # the worklist (rows and totals in one statement) and the navigation


# --- Show all -------------------------------------------------------------------------------------


def _follow_show_all(client, page: str, section: str) -> str:
    link = re.search(r'<a href="\?([^"]*)"[^>]*data-test="show-all"', _section(page, section))
    return link.group(1).replace("&amp;", "&")


def _all_pages(client, query: str) -> tuple[list[int], int]:
    pks, number = [], 1
    while True:
        response = client.get(f"/callbacks/?{query}&page={number}")
        assert response.status_code == 200
        pks += [row.pk for row in response.context["rows"]]
        page = response.context["page"]
        if not page.has_next():
            return pks, page.paginator.count
        number += 1


@pytest.mark.parametrize(("due", "section"), [(OVERDUE, "group-overdue"), (TODAY, "group-today"),
                                              (LATER, "group-later"), (FOLLOW_UP, "follow-ups")])
def test_show_all_lists_exactly_that_group_in_the_worklists_order(
    bram, receptionist, colleague, small_caps, monkeypatch, due, section
):
    monkeypatch.setattr(work, "PAGE_SIZE", 2)
    office = _office(receptionist, colleague)
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)  # no follow-up: in no group
    overview = bram.get("/callbacks/")
    query = _follow_show_all(bram, overview.content.decode(), section)
    first = bram.get(f"/callbacks/?{query}")
    pks, count = _all_pages(bram, query)
    assert pks == _in_order(office[due], due) and count == len(office[due])
    shown = [row.pk for row in _groups(overview.context["worklist"])[due]]
    assert pks[:len(shown)] == shown
    page = first.content.decode()
    assert f'<input type="hidden" name="due" value="{due}" id="id_due">' in page  # the filters keep the group
    assert re.search(r'<h2[^>]*>[^<]+\(' + str(len(office[due])) + r"\)</h2>", page)
    assert 'data-test="overview"' in page and "Terug naar het overzicht" in page


def test_show_all_keeps_the_filters_and_the_tab(bram, receptionist, colleague, small_caps):
    mate = make_user("carla", "colleague")
    team = colleague.teams.get()
    team.members.add(mate)
    complaints = [MessageFactory(taken_by=receptionist, owner=owner, team=team, call_type="complaint",
                                 deadline=NOW - timedelta(minutes=10 * i)) for i, owner in
                  enumerate([colleague, mate, None, colleague, mate], start=1)]
    MessageFactory(taken_by=receptionist, owner=mate, call_type="question", deadline=NOW - timedelta(hours=2))
    overview = bram.get("/callbacks/?scope=teams&call_type=complaint")
    assert overview.context["worklist"].overdue.total == 5
    query = _follow_show_all(bram, overview.content.decode(), "group-overdue")
    pks, count = _all_pages(bram, query)
    assert "scope=teams" in query and "call_type=complaint" in query and "due=overdue" in query
    assert count == 5 and set(pks) == {m.pk for m in complaints}


def test_a_group_that_does_not_fit_the_status_is_left_for_that_statuss_list(bram, receptionist, colleague):
    overdue = MessageFactory(taken_by=receptionist, owner=colleague, deadline=NOW - timedelta(hours=1))
    handled = MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)
    everything = bram.get("/callbacks/?status=all&due=overdue")
    nonsense = bram.get("/callbacks/?due=someday")
    assert {row.pk for row in everything.context["rows"]} == {overdue.pk, handled.pk}
    assert 'name="due"' not in everything.content.decode()
    assert nonsense.status_code == 200 and [row.pk for row in nonsense.context["worklist"].overdue] == [overdue.pk]


# --- The raw SQL agrees with the ORM --------------------------------------------------------------


@pytest.fixture
def busy_office(receptionist, colleague, other_colleague):
    """bram and carla in Verkoop, daan in Service, messages of every kind for all of them and their teams."""
    carla = make_user("carla", "colleague")
    verkoop, service = colleague.teams.get(), other_colleague.teams.get()
    verkoop.members.add(carla)
    deadlines = [NOW - timedelta(days=2), NOW - timedelta(minutes=1), NOW, NOW + timedelta(minutes=1),
                 datetime(2026, 12, 1, 23, 59, tzinfo=AMS), datetime(2026, 12, 2, 0, 0, tzinfo=AMS),
                 NOW + timedelta(days=9)]
    owners = [(colleague, verkoop), (carla, verkoop), (None, verkoop), (other_colleague, service), (None, service)]
    types = ["question", "complaint", "sales"]
    for i, deadline in enumerate(deadlines * 3):
        owner, team = owners[i % len(owners)]
        MessageFactory(taken_by=receptionist, owner=owner, team=team, deadline=deadline, call_type=types[i % 3],
                       taken_at=NOW - timedelta(days=(i * 5) % 40))
    for i, (owner, team) in enumerate(owners * 2):
        MessageFactory(taken_by=receptionist, owner=owner, team=team, status=Status.HANDLED, call_type=types[i % 3],
                       follow_up_on=date(2026, 11, 30) + timedelta(days=i % 4),
                       follow_up_done_at=NOW - timedelta(hours=1) if i == 3 else None)
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.INFORMATIONAL)
    return verkoop


@pytest.mark.parametrize("scope", ["mine", "teams"])
@pytest.mark.parametrize("narrowing", [{}, {"call_type": "complaint"}, {"team": True}, {"period_days": 7}])
@pytest.mark.parametrize("caps", [SMALL_CAPS, dict.fromkeys(SMALL_CAPS, 1000)])
def test_the_worklist_agrees_with_work_messages(colleague, busy_office, monkeypatch, scope, narrowing, caps):
    for due, cap in caps.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)
    narrowing = {**narrowing, "team_id": busy_office.pk} if narrowing.pop("team", False) else narrowing
    work_filter = selectors.WorkFilter(scope=scope, **narrowing)
    teams = selectors.member_teams(colleague)
    worklist = selectors.worklist(user=colleague, teams=teams, now=NOW, work_filter=work_filter)
    for due, group in _groups(worklist).items():
        # Follow-ups ignore the filters other than the tab, in both.
        twin = work_filter if due != FOLLOW_UP else selectors.WorkFilter(scope=scope)
        expected = list(selectors.work_messages(
            user=colleague, teams=teams, now=NOW,
            work_filter=selectors.WorkFilter(**{**twin.__dict__, "status": Status.HANDLED if due == FOLLOW_UP
                                                 else Status.OPEN, "due": due}),
        ))
        assert [row.pk for row in group] == [m.pk for m in expected][:caps[due]], due
        assert group.total == len(expected), due
        assert [row.owner for row in group] == ([m.owner_display for m in expected][:caps[due]]
                                                 if scope == "teams" else [""] * len(group))
    assert worklist.today or worklist.overdue  # the data reaches the groups at all


# --- The rows read as the row template wrote them ---------------------------------------------------

# templates/callbacks/partials/message_row.html before the rows were prepared in Python, inlined in its table.
ORIGINAL_TABLE = Template("""{% load i18n %}<div class="table-responsive">
<table class="table table-sm align-middle mb-0">
  <thead><tr>
    <th scope="col">{% translate "Caller" %}</th><th scope="col">{% translate "Number" %}</th>
    <th scope="col">{% translate "Reason" %}</th><th scope="col">{% translate "Tone" %}</th>
    <th scope="col" class="text-end">{% translate "Called" %}</th>
    {% if show_owner %}<th scope="col">{% translate "For" %}</th>{% endif %}
    <th scope="col">{% translate "Call back" %}</th>
  </tr></thead>
  <tbody>{% for item in items %}<tr data-test="message-row" data-message="{{ item.pk }}"{% if item.priority == "urgent" %} class="table-warning"{% endif %}>
  <td>
    <a href="{% url 'callbacks:detail' item.pk %}" class="fw-semibold">{{ item.caller_name|default:_("Unknown caller") }}</a>{% if item.caller_company %}<br><span class="small text-body-secondary">{{ item.caller_company }}</span>{% endif %}
    {% if item.priority == "urgent" %}<span class="badge text-bg-danger">{% translate "Urgent" %}</span>{% endif %}
  </td>
  <td>{% if item.caller_number %}<a href="tel:{{ item.caller_number }}">{{ item.caller_number.as_national }}</a>{% endif %}</td>
  <td>{{ item.reason|truncatechars:90 }}</td>
  <td>{{ item.get_tone_display }}</td>
  <td class="text-end">{{ item.call_count }}×</td>
  {% if show_owner %}<td>{{ item.owner_display }}</td>{% endif %}
  <td>
    {% if item.status == "open" and item.deadline %}
      {% if item.deadline <= now %}<span class="text-danger fw-semibold" data-test="overdue">{% blocktranslate with late=item.deadline|timesince:now %}{{ late }} overdue{% endblocktranslate %}</span>
      {% else %}<span title="{{ item.deadline|date:'D j M H:i' }}">{% blocktranslate with left=item.deadline|timeuntil:now %}{{ left }} left{% endblocktranslate %}</span>{% endif %}
      <br><span class="small text-body-secondary">{{ item.deadline|date:"D j M H:i" }}</span>
    {% elif item.follow_up_on %}{% blocktranslate with day=item.follow_up_on|date:"D j M" %}check back on {{ day }}{% endblocktranslate %}
    {% else %}{{ item.get_status_display }}{% endif %}
  </td>
</tr>
{% endfor %}</tbody>
</table>
</div>
""")  # noqa: E501


@pytest.fixture
def odd_messages(receptionist, colleague):
    """Rows that take every branch of the row template, with text that needs escaping."""
    carla = make_user("carla", "colleague", full_name="")  # shown by username
    team = colleague.teams.get()
    team.members.add(carla)
    specs = [
        dict(owner=colleague, caller_name="", caller_number="", caller_company="", reason="x" * 89,
             deadline=NOW - timedelta(days=40, minutes=3)),
        dict(owner=carla, caller_name="<b>Ann</b> & \"Co\" 'x'", caller_company="<i>ACME</i>",
             reason="é" * 91 + "<script>", deadline=NOW + timedelta(minutes=1), priority=Priority.URGENT),
        dict(owner=None, team=team, caller_name="Bad number", caller_number="12345", reason="a\u0301" * 95,
             deadline=NOW + timedelta(days=400), tone="angry", call_count=12345),
        dict(owner=colleague, caller_name="Belgian", caller_number="+3225551212", reason="r" * 90, deadline=NOW),
        dict(owner=colleague, caller_name="Check back", caller_number="+442071234567", status=Status.HANDLED,
             follow_up_on=date(2026, 11, 30)),
        dict(owner=carla, caller_name="Handled", status=Status.HANDLED, deadline=NOW - timedelta(days=1)),
        dict(owner=colleague, caller_name="Informational", status=Status.INFORMATIONAL, deadline=None),
    ]
    return [MessageFactory(taken_by=receptionist, **spec) for spec in specs]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_rows_read_as_the_row_template_wrote_them(colleague, odd_messages, language):
    teams = selectors.member_teams(colleague)
    by_pk = Message.objects.select_related("owner_user", "owner_team").in_bulk([m.pk for m in odd_messages])
    table = get_template("callbacks/partials/message_table.html")
    with translation.override(language):
        for scope in ("mine", "teams"):
            worklist = selectors.worklist(user=colleague, teams=teams, now=NOW,
                                          work_filter=selectors.WorkFilter(scope=scope))
            rows = [row for group in _groups(worklist).values() for row in group]
            assert len(rows) >= 4
            show_owner = scope == "teams"
            expected = ORIGINAL_TABLE.render(Context({"items": [by_pk[row.pk] for row in rows], "now": NOW,
                                                      "show_owner": show_owner}))
            worklist_rows.with_cells(rows, show_owner=show_owner)
            assert table.render({"items": rows, "now": NOW, "show_owner": show_owner}) == expected
        paged = list(selectors.work_messages(user=colleague, teams=teams, now=NOW,
                                             work_filter=selectors.WorkFilter(scope="teams", status="all")))
        assert len(paged) == len(odd_messages)
        expected = ORIGINAL_TABLE.render(Context({"items": paged, "now": NOW, "show_owner": True}))
        rows = worklist_rows.work_rows(paged, now=NOW)
        worklist_rows.with_cells(rows, show_owner=True)
        assert table.render({"items": rows, "now": NOW, "show_owner": True}) == expected
