"""My callbacks, bounded: each group shows its first rows and its true total, and a capped group links to
all of it, paginated. The groups are asked of Message.objects (selectors.worklist); these tests hold them
to the rules written out here by hand, and read the rows as the page renders them.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Team
from callbacks import selectors
from callbacks.models import Message, Outcome, Priority, Status
from callbacks.models.generations import messages_changed
from callbacks.selectors import FOLLOW_UP, LATER, OVERDUE, TODAY
from callbacks.views import worklist as worklist_views
from tests.conftest import SMALL_CAPS, make_user
from tests.factories import MessageFactory, make_messages
from tests.html_shape import MarkupShape

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)  # a Tuesday morning

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


def _office(receptionist, colleague, *, overdue=5, today=4, later=3, follow_ups=3) -> dict[str, list[Message]]:
    """Messages for bram in every group, each group's deadlines in a shuffled order."""

    def opened(count, first, step):
        return [
            MessageFactory(
                taken_by=receptionist,
                owner=colleague,
                deadline=first + step * ((i * 7) % count),
                caller_name=f"Beller {first:%H%M} {i}",
            )
            for i in range(count)
        ]

    return {
        OVERDUE: opened(overdue, NOW - timedelta(hours=5), timedelta(minutes=20)),
        TODAY: opened(today, NOW + timedelta(hours=1), timedelta(minutes=30)),
        LATER: opened(later, datetime(2026, 12, 2, 0, 0, tzinfo=AMS), timedelta(days=1)),  # midnight is later
        FOLLOW_UP: [
            MessageFactory(
                taken_by=receptionist,
                owner=colleague,
                status=Status.HANDLED,
                outcome=Outcome.SOLVED,
                follow_up_on=date(2026, 11, 28) + timedelta(days=(i * 2) % follow_ups),
            )
            for i in range(follow_ups)
        ],
    }


def _in_order(messages: list[Message], due: str) -> list[int]:
    key = (lambda m: (m.follow_up_on, m.pk)) if due == FOLLOW_UP else (lambda m: (m.deadline, m.pk))
    return [m.pk for m in sorted(messages, key=key)]


def _section(page: str, data_test: str) -> str:
    start = page.index(f'data-test="{data_test}"')
    return page[start : page.index("</section>", start)]


def _groups(worklist) -> dict[str, selectors.WorkGroup]:
    return {OVERDUE: worklist.overdue, TODAY: worklist.today, LATER: worklist.later, FOLLOW_UP: worklist.follow_ups}


# --- The caps ---------------------------------------------------------------------------------------


def test_each_group_shows_its_first_rows_and_its_true_total(bram, receptionist, colleague, small_caps):
    office = _office(receptionist, colleague)
    response = bram.get("/callbacks/")
    for due, group in _groups(response.context["worklist"]).items():
        assert [row.pk for row in group] == _in_order(office[due], due)[: SMALL_CAPS[due]], due
        assert group.total == len(office[due]) and group.capped
    page = response.content.decode()
    assert len(re.findall(r'data-test="message-row"', page)) == sum(SMALL_CAPS.values())
    assert "Te laat (5)" in _section(page, "group-overdue")
    assert "Vandaag (4)" in _section(page, "group-today")
    assert "Later (3)" in _section(page, "group-later")


@pytest.mark.parametrize("counts", [(3, 3, 2), (2, 4, 1), (4, 1, 3), (0, 3, 3), (3, 0, 2), (1, 1, 0)])
def test_groups_within_their_caps_are_read_together_and_still_hold_their_own_rows(
    bram, receptionist, colleague, small_caps, counts
):
    """A group at or below its cap is read with the next (selectors.worklist._first_keys): at a cap, just over
    it, and with an empty group between two others."""
    overdue, today, later = counts
    office = _office(receptionist, colleague, overdue=overdue, today=today, later=later, follow_ups=0)
    with CaptureQueriesContext(connection) as queries:
        groups = _groups(bram.get("/callbacks/").context["worklist"])
    for due in (OVERDUE, TODAY, LATER):
        assert [row.pk for row in groups[due]] == _in_order(office[due], due)[: SMALL_CAPS[due]], due
        assert groups[due].total == len(office[due]), due
    fitting = [count <= SMALL_CAPS[due] for count, due in zip(counts, (OVERDUE, TODAY))]
    reads = [q for q in queries if '"version" AS "version"' in q["sql"] and '"follow_up_on" <=' not in q["sql"]]
    # A new read starts after each group over its cap.
    assert len(reads) == 1 + fitting.count(False)


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


def test_the_page_makes_as_many_queries_however_many_rows_the_groups_hold(bram, receptionist, colleague, small_caps):
    _office(receptionist, colleague, overdue=1, today=1, later=1, follow_ups=1)
    bram.get("/callbacks/")  # both measured requests find the session and the translations warm
    caches["fragments"].clear()  # both measured requests render every table (a miss), then one more reads them cached
    messages_changed()  # and count the navigation's owed callbacks (callbacks/models/generations.py)
    with CaptureQueriesContext(connection) as few:
        assert bram.get("/callbacks/").status_code == 200
    _office(receptionist, colleague, overdue=20, today=20, later=20, follow_ups=20)
    caches["fragments"].clear()
    messages_changed()  # new messages of his own alone would leave his teams' half of the counts kept
    with CaptureQueriesContext(connection) as many:
        response = bram.get("/callbacks/")
    with CaptureQueriesContext(connection) as cached:
        bram.get("/callbacks/")
    assert all(group.capped for group in _groups(response.context["worklist"]).values())
    # Follow-ups within their cap are counted from their keys; capped, they take one count more. Open groups
    # within their caps are read in one read of the rows' keys; capped, one read each (selectors.worklist._first_keys).
    # Of the four rows of few, the second to miss is read with the two after it; many takes a third read.
    assert len(few) == len(many) - 1 - 2 - 1
    key_reads = [q for q in few if '"version" AS "version"' in q["sql"] and '"follow_up_on" <=' not in q["sql"]]
    assert len(key_reads) == 1
    reading_messages = [q["sql"] for q in many if "callbacks_message" in q["sql"]]
    # A count of the open groups per half of owned_by, one of the follow-ups, a LIMITed read of the rows' keys
    # for each group, a read of the first row to miss, one of the second with a few after it and one of all the
    # others (selectors.MissedRows); cached tables need no read of their rows. The navigation's badge takes the
    # worklist's own totals (views/worklist.py): it counts nothing.
    assert len(reading_messages) == 10
    # Nothing changed since: no message is read. The totals (selectors.open_figures.owed_totals), the open groups'
    # first keys and the follow-ups are kept (selectors.worklist), the rows cached.
    assert not [q for q in cached if "callbacks_message" in q["sql"]]


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


@pytest.mark.parametrize(
    ("due", "section"),
    [(OVERDUE, "group-overdue"), (TODAY, "group-today"), (LATER, "group-later"), (FOLLOW_UP, "follow-ups")],
)
def test_show_all_lists_exactly_that_group_in_the_worklists_order(
    bram, receptionist, colleague, small_caps, monkeypatch, due, section
):
    monkeypatch.setattr(worklist_views, "PAGE_SIZE", 2)
    office = _office(receptionist, colleague)
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)  # no follow-up: in no group
    overview = bram.get("/callbacks/")
    query = _follow_show_all(bram, overview.content.decode(), section)
    first = bram.get(f"/callbacks/?{query}")
    pks, count = _all_pages(bram, query)
    assert pks == _in_order(office[due], due) and count == len(office[due])
    shown = [row.pk for row in _groups(overview.context["worklist"])[due]]
    assert pks[: len(shown)] == shown
    page = first.content.decode()
    assert f'<input type="hidden" name="due" value="{due}" id="id_due">' in page  # the filters keep the group
    assert re.search(r"<h2[^>]*>[^<]+\(" + str(len(office[due])) + r"\)</h2>", page)
    assert 'data-test="overview"' in page and "Terug naar het overzicht" in page


def test_show_all_keeps_the_filters_and_the_tab(bram, receptionist, colleague, small_caps):
    mate = make_user("carla", "colleague")
    team = colleague.teams.get()
    team.members.add(mate)
    complaints = [
        MessageFactory(
            taken_by=receptionist,
            owner=owner,
            team=team,
            call_type="complaint",
            deadline=NOW - timedelta(minutes=10 * i),
        )
        for i, owner in enumerate([colleague, mate, None, colleague, mate], start=1)
    ]
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


# --- The groups follow the rules, in every tab and filter ------------------------------------------


@pytest.fixture
def busy_office(receptionist, colleague, other_colleague):
    """bram and carla in Verkoop, daan in Service, messages of every kind for all of them and their teams."""
    carla = make_user("carla", "colleague")
    verkoop, service = colleague.teams.get(), other_colleague.teams.get()
    verkoop.members.add(carla)
    deadlines = [
        NOW - timedelta(days=2),
        NOW - timedelta(minutes=1),
        NOW,
        NOW + timedelta(minutes=1),
        datetime(2026, 12, 1, 23, 59, tzinfo=AMS),
        datetime(2026, 12, 2, 0, 0, tzinfo=AMS),
        NOW + timedelta(days=9),
    ]
    owners = [(colleague, verkoop), (carla, verkoop), (None, verkoop), (other_colleague, service), (None, service)]
    types = ["question", "complaint", "sales"]
    for i, deadline in enumerate(deadlines * 3):
        owner, team = owners[i % len(owners)]
        MessageFactory(
            taken_by=receptionist,
            owner=owner,
            team=team,
            deadline=deadline,
            call_type=types[i % 3],
            taken_at=NOW - timedelta(days=(i * 5) % 40),
        )
    for i, (owner, team) in enumerate(owners * 2):
        MessageFactory(
            taken_by=receptionist,
            owner=owner,
            team=team,
            status=Status.HANDLED,
            call_type=types[i % 3],
            follow_up_on=date(2026, 11, 30) + timedelta(days=i % 4),
            follow_up_done_at=NOW - timedelta(hours=1) if i == 3 else None,
        )
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.INFORMATIONAL)
    return verkoop


def _expected_group(colleague, work_filter: selectors.WorkFilter, due: str) -> list[int]:
    """The group as the product describes it, worked out message by message."""
    teams = set(colleague.teams.values_list("pk", flat=True))
    midnight = datetime(2026, 12, 2, 0, 0, tzinfo=AMS)

    def in_tab(m: Message) -> bool:
        if work_filter.scope == "teams":
            return m.owner_team_id in teams
        return m.owner_user_id == colleague.pk or (m.owner_user_id is None and m.owner_team_id in teams)

    def narrowed(m: Message) -> bool:
        return (
            (not work_filter.call_type or m.call_type == work_filter.call_type)
            and (not work_filter.team_id or m.owner_team_id == work_filter.team_id)
            and (not work_filter.period_days or m.taken_at >= NOW - timedelta(days=work_filter.period_days))
        )

    def in_group(m: Message) -> bool:
        if due == FOLLOW_UP:
            return (
                m.status == Status.HANDLED
                and m.follow_up_on is not None
                and m.follow_up_on <= NOW.date()
                and m.follow_up_done_at is None
            )
        if m.status != Status.OPEN or not narrowed(m):
            return False
        return {OVERDUE: m.deadline <= NOW, TODAY: NOW < m.deadline < midnight, LATER: m.deadline >= midnight}[due]

    return _in_order([m for m in Message.objects.all() if in_tab(m) and in_group(m)], due)


@pytest.mark.parametrize("scope", ["mine", "teams"])
@pytest.mark.parametrize("narrowing", [{}, {"call_type": "complaint"}, {"team": True}, {"period_days": 7}])
@pytest.mark.parametrize("caps", [SMALL_CAPS, dict.fromkeys(SMALL_CAPS, 1000)])
def test_the_groups_hold_what_the_rules_say(colleague, busy_office, monkeypatch, scope, narrowing, caps):
    for due, cap in caps.items():
        monkeypatch.setitem(selectors.WORKLIST_CAPS, due, cap)
    narrowing = {**narrowing, "team_id": busy_office.pk} if narrowing.pop("team", False) else narrowing
    work_filter = selectors.WorkFilter(scope=scope, **narrowing)
    worklist = selectors.worklist(user=colleague, now=NOW, work_filter=work_filter)
    for due, group in _groups(worklist).items():
        expected = _expected_group(colleague, work_filter, due)
        assert [m.pk for m in group] == expected[: caps[due]], due
        assert group.total == len(expected), due
        # The "Show all" page of the group lists the same messages, in the same order.
        status = Status.HANDLED if due == FOLLOW_UP else Status.OPEN
        twin = work_filter if due != FOLLOW_UP else selectors.WorkFilter(scope=scope)
        everything = selectors.work_messages(
            user=colleague, now=NOW, work_filter=selectors.WorkFilter(**{**twin.__dict__, "status": status, "due": due})
        )
        assert [m.pk for m in everything] == expected, due
    assert worklist.today or worklist.overdue  # the data reaches the groups at all


# --- The rows as the page renders them -------------------------------------------------------------


def _rows(page: str) -> dict[int, str]:
    """Each message row of the page by its message id, as HTML."""
    return {
        int(pk): row
        for pk, row in re.findall(r'<tr data-test="message-row" data-message="(\d+)"[^>]*>(.*?)</tr>', page, re.DOTALL)
    }


def _text(markup: str) -> str:
    texts = (text for kind, *rest in MarkupShape(markup).items if kind == "text" for text in rest)
    return " ".join(texts).replace("\xa0", " ")


@pytest.fixture
def odd_messages(receptionist, colleague):
    """Rows that take every branch of the row, with text that needs escaping."""
    carla = make_user("carla", "colleague", full_name="")  # shown by username
    team = colleague.teams.get()
    team.members.add(carla)
    specs = {
        "unknown": dict(
            owner=colleague,
            caller_name="",
            caller_number="",
            caller_company="",
            reason="x" * 89,
            deadline=NOW - timedelta(days=2, minutes=3),
        ),
        "script": dict(
            owner=carla,
            caller_name="<script>alert(1)</script>",
            caller_company="<i>ACME</i>",
            reason="é" * 91 + "<script>",
            deadline=NOW + timedelta(hours=2),
            priority=Priority.URGENT,
        ),
        "team": dict(
            owner=None,
            team=team,
            caller_name="Teambeller",
            caller_number="+31201234567",
            reason="Offerte",
            deadline=NOW + timedelta(days=3),
            tone="angry",
            call_count=3,
        ),
        "check_back": dict(
            owner=colleague, caller_name="Check back", status=Status.HANDLED, follow_up_on=date(2026, 11, 30)
        ),
    }
    return {name: MessageFactory(taken_by=receptionist, **spec) for name, spec in specs.items()}


def test_the_rows_show_caller_number_reason_and_time_left_escaped(bram, odd_messages):
    with translation.override("nl"):
        page = bram.get("/callbacks/?scope=teams").content.decode()
    rows = _rows(page)
    assert set(rows) == {m.pk for m in odd_messages.values()}

    unknown = rows[odd_messages["unknown"].pk]
    assert "Onbekende beller" in _text(unknown) and "x" * 89 in unknown and "tel:" not in unknown
    assert 'data-test="overdue"' in unknown and "2 dagen te laat" in _text(unknown)
    assert f'href="/callbacks/{odd_messages["unknown"].pk}/"' in unknown

    script = rows[odd_messages["script"].pk]
    assert "<script>" not in script and "<i>" not in script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in script and "&lt;i&gt;ACME&lt;/i&gt;" in script
    assert "é" * 89 + "…" in script  # the reason cut at 90 characters
    assert "Urgent" in _text(script) and "nog 2 uur" in _text(script) and "carla" in _text(script)
    assert "di 1 Dec 12:00" in _text(script)  # the deadline itself, in the office's time

    team = rows[odd_messages["team"].pk]
    assert '<a href="tel:+31201234567" data-test="call">020 123 4567</a>' in team
    assert "Boos" in _text(team) and "3×" in _text(team) and "Verkoop" in _text(team)
    assert "nog 3 dagen" in _text(team) and "vr 4 Dec 10:00" in _text(team)

    assert "terugkoppelen op ma 30 Nov" in _text(rows[odd_messages["check_back"].pk])


def test_the_paged_rows_render_as_the_overview_does(bram, odd_messages):
    overview = _rows(bram.get("/callbacks/?scope=teams").content.decode())
    paged = _rows(bram.get("/callbacks/?scope=teams&status=all").content.decode())
    for name in ("unknown", "script", "team"):
        pk = odd_messages[name].pk
        assert MarkupShape(paged[pk]).items == MarkupShape(overview[pk]).items, name


# --- The worklist's totals for the navigation's badge ----------------------------------------------


def test_the_unfiltered_list_hands_the_navigation_the_badges_own_figures(bram, receptionist, colleague, clock):
    team = colleague.teams.get()
    for deadline in (
        NOW - timedelta(hours=1),
        NOW - timedelta(hours=2),
        NOW + timedelta(hours=3),
        NOW + timedelta(days=2),
    ):
        MessageFactory(taken_by=receptionist, owner=colleague, deadline=deadline)
    MessageFactory(taken_by=receptionist, owner=None, team=team, deadline=NOW - timedelta(minutes=5))
    MessageFactory(taken_by=receptionist, owner=colleague, status=Status.HANDLED)

    response = bram.get("/callbacks/")
    counts = selectors.navigation_counts(user=colleague, now=clock.now())
    totals = response.wsgi_request.worklist_totals
    assert totals == {"overdue": 3, "today": 1, "later": 1}
    assert (counts.open, counts.overdue) == (sum(totals.values()), totals["overdue"]) == (5, 3)
    # A filtered list, the teams' tab or one group counts something else: no figures for the badge then.
    for query in ("?call_type=question", "?scope=teams", "?due=overdue", "?status=handled"):
        assert not hasattr(bram.get(f"/callbacks/{query}").wsgi_request, "worklist_totals"), query


def test_the_teams_kept_with_the_configuration_follow_a_new_membership_and_name(bram, colleague):
    assert 'data-test="teams-tab"' in bram.get("/callbacks/").content.decode()  # read and kept
    colleague.teams.clear()
    assert 'data-test="teams-tab"' not in bram.get("/callbacks/").content.decode()
    team = Team.objects.create(name="Nachtdienst")
    team.members.add(colleague)
    page = bram.get("/callbacks/").content.decode()
    assert 'data-test="teams-tab"' in page and "Nachtdienst" in page
    team.name = "Avonddienst"
    team.save()
    page = bram.get("/callbacks/").content.decode()
    assert "Avonddienst" in page and "Nachtdienst" not in page


def test_a_new_message_among_cached_rows_is_read_alone(bram, receptionist, colleague, small_caps, clock):
    _office(receptionist, colleague, overdue=3, today=3, later=3, follow_ups=0)
    bram.get("/callbacks/")  # every row drawn and cached
    new = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() + timedelta(minutes=30))
    with CaptureQueriesContext(connection) as queries:
        page = bram.get("/callbacks/").content.decode()
    assert f'data-message="{new.pk}"' in page
    # Only the new row misses the cache: its message alone is read, not every row the page shows.
    by_pk = [q["sql"] for q in queries if '"callbacks_message"."id" IN (' in q["sql"]]
    assert len(by_pk) == 1 and f'"callbacks_message"."id" IN ({new.pk})' in by_pk[0]
