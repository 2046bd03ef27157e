"""Search (issue 17): by name, company, number in any written form and words in the reason, ranked, paginated,
and never showing a message the person may not see (callbacks/selectors/search.py, callbacks/views/search.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.models import Message
from callbacks.selectors.search import CALLER, EXACT_NUMBER, REASON, messages_found, terms_of
from callbacks.views.search import PAGE_SIZE
from tests.conftest import login_across_time
from tests.factories import MessageFactory, make_messages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

URL = reverse("callbacks:search")
NUMBER = "+31612345678"


def found(client, query: str, **extra) -> list[int]:
    response = client.get(URL, {"q": query, **extra})
    assert response.status_code == 200
    return [row.pk for row in response.context["page"]] if response.context.get("page") else []


def as_user(client, user):
    login_across_time(client, user)
    return client


@pytest.fixture
def pieter(receptionist, colleague):
    return MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        caller_name="Pieter de Boer",
        caller_company="Bakkerij De Boer",
        caller_number=NUMBER,
        reason="Vraag over de offerte",
    )


# Access -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["receptionist", "colleague", "manager"])
def test_it_finds_the_message_for_each_role_that_may_see_it(client, request, pieter, role):
    assert found(as_user(client, request.getfixturevalue(role)), "Pieter") == [pieter.pk]


def test_a_colleague_of_another_team_finds_nothing(client, pieter, other_colleague):
    client = as_user(client, other_colleague)
    for query in ("Pieter", "Bakkerij", "06-12345678", "345678", "offerte"):
        assert found(client, query) == [], query
    assert "de Boer" not in client.get(URL, {"q": "Pieter"}).content.decode()


def test_a_receptionist_finds_what_she_took_and_not_what_others_took(client, pieter, receptionist, manager, colleague):
    other = MessageFactory(taken_by=manager, owner=colleague, caller_name="Pieter Jansen")
    assert found(as_user(client, receptionist), "Pieter") == [pieter.pk]
    assert set(found(as_user(client, colleague), "Pieter")) == {pieter.pk, other.pk}


def test_an_outsider_gets_404_and_a_visitor_the_login_page(client, outsider, pieter):
    assert client.get(URL, {"q": "Pieter"}).status_code == 302
    assert as_user(client, outsider).get(URL, {"q": "Pieter"}).status_code == 404


def test_anonymised_messages_are_not_found(clock, client, manager, pieter):
    Message.objects.filter(pk=pieter.pk).update(anonymised_at=clock.now() - timedelta(days=1))
    assert found(as_user(client, manager), "Pieter") == []


# Numbers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "06-12345678",
        "0612345678",
        "+31 6 1234 5678",
        "+31612345678",
        "0031 6 12345678",
        "+31 (0)6 12 34 56 78",
        "06 1234 5678",
    ],
)
def test_a_whole_number_in_any_written_form_finds_the_caller_first(client, manager, pieter, written):
    response = as_user(client, manager).get(URL, {"q": written})
    (row,) = response.context["page"]
    assert (row.pk, row.rank) == (pieter.pk, EXACT_NUMBER)


@pytest.mark.parametrize("part", ["345678", "12345678", "06-1234", "+31 6 1234", "0612"])
def test_a_part_of_a_number_finds_the_caller(client, manager, pieter, receptionist, colleague, part):
    MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Ander", caller_number="+31201112233")
    response = as_user(client, manager).get(URL, {"q": part})
    (row,) = response.context["page"]
    assert (row.pk, row.rank) == (pieter.pk, CALLER)


def test_a_part_of_a_number_does_not_match_other_digits(client, manager, pieter):
    assert found(as_user(client, manager), "06-9999") == []


# Words ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Pieter", "pieter de boer", "Bakkerij", "bakkerij de", "offerte", "OFFERTE vraag"])
def test_names_companies_and_reason_words_are_found_whatever_the_case(client, manager, pieter, query):
    assert found(as_user(client, manager), query) == [pieter.pk]


def test_words_of_the_reason_need_not_stand_together(client, manager, pieter):
    assert found(as_user(client, manager), "vraag offerte") == [pieter.pk]
    assert found(as_user(client, manager), "vraag factuur") == []


# Ranking ----------------------------------------------------------------------------------------------------


def test_name_and_company_rank_before_reason_words_and_newest_first_within_a_rank(
    clock, client, manager, receptionist, colleague
):
    def message(days_ago: int, **fields) -> Message:
        return MessageFactory(
            taken_by=receptionist,
            owner=colleague,
            taken_at=clock.now() - timedelta(days=days_ago),
            **{"caller_name": "Jan", "caller_company": "", "reason": "Terugbellen", **fields},
        )

    in_reason_newest = message(0, reason="Levering van Jansen komt niet")
    name_old = message(9, caller_name="Karel Jansen")
    company_new = message(2, caller_company="Jansen Transport")
    in_reason_old = message(5, reason="Jansen wil een offerte")
    message(1, caller_name="Piet Klaassen")  # not a match
    response = as_user(client, manager).get(URL, {"q": "Jansen"})
    rows = list(response.context["page"])
    assert [row.pk for row in rows] == [company_new.pk, name_old.pk, in_reason_newest.pk, in_reason_old.pk]
    assert [row.rank for row in rows] == [CALLER, CALLER, REASON, REASON]


# Pagination and queries -------------------------------------------------------------------------------------


def test_results_are_paginated_newest_first(clock, client, manager, receptionist, colleague):
    messages = make_messages(PAGE_SIZE + 5, taken_by=receptionist, owner=colleague, caller_name="Pieter")
    client = as_user(client, manager)
    first, second = client.get(URL, {"q": "Pieter"}), client.get(URL, {"q": "Pieter", "page": 2})
    assert first.context["page"].paginator.count == PAGE_SIZE + 5
    shown = [row.pk for row in first.context["page"]] + [row.pk for row in second.context["page"]]
    assert sorted(shown) == sorted(m.pk for m in messages)
    assert len(set(shown)) == PAGE_SIZE + 5
    assert "page=2" in first.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_results(
    client, manager, receptionist, colleague, other_colleague
):
    client = as_user(client, manager)
    make_messages(2, taken_by=receptionist, owner=colleague, caller_name="Pieter")
    client.get(URL, {"q": "Pieter"})  # the navigation's cached figures
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "Pieter"})
    make_messages(20, taken_by=receptionist, owner=other_colleague, caller_name="Pieter")
    client.get(URL, {"q": "Pieter"})
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"q": "Pieter"})
    assert len(many) == len(few)


# Queries that ask for nothing -------------------------------------------------------------------------------


def test_an_empty_query_shows_the_form_without_results_or_complaint(client, manager, pieter):
    response = as_user(client, manager).get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-test="search-problem"' not in page and 'data-test="search-results"' not in page


@pytest.mark.parametrize("garbage", ["!!", "a", "12", "06", "+", "  -  ", "%", "_"])
def test_a_query_too_short_to_search_says_so(client, manager, pieter, garbage):
    response = as_user(client, manager).get(URL, {"q": garbage})
    assert response.status_code == 200
    assert 'data-test="search-problem"' in response.content.decode()
    assert "page" not in response.context


@pytest.mark.parametrize(
    "garbage",
    [
        "x" * 5000,
        "'; DROP TABLE callbacks_message; --",
        "100%",
        "a_b",
        "<script>",
        "\x00abc",
        "&|!():*",
        "06-12345678999999",
    ],
)
def test_strange_queries_answer_without_error(client, manager, pieter, garbage):
    response = as_user(client, manager).get(URL, {"q": garbage, "page": "x"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_a_query_with_no_results_says_so(client, manager, pieter):
    response = as_user(client, manager).get(URL, {"q": "Onbekende"})
    assert 'data-test="search-none"' in response.content.decode()


def test_percent_and_underscore_are_not_wildcards(clock, manager, receptionist, colleague):
    MessageFactory(taken_by=receptionist, owner=colleague, caller_name="Pieter")
    assert not messages_found(user=manager, terms=terms_of("%%")).exists()
    assert not messages_found(user=manager, terms=terms_of("P_eter")).exists()


def test_the_navigation_has_the_search_box_for_those_who_may_search(client, receptionist, outsider):
    assert 'data-test="nav-search"' in as_user(client, receptionist).get(reverse("callbacks:desk")).content.decode()
    client.logout()
    assert 'data-test="nav-search"' not in as_user(client, outsider).get(reverse("home")).content.decode()


# PostgreSQL: the indexes of migration 0008 answer the search ------------------------------------------------


def _plan(query) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callbacks_message")
        # Thousands of rows still fit in a few pages, which PostgreSQL reads whole; a million do not.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor a whole other index, read in order
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.postgres_only  # a PostgreSQL plan
@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("Jansen", ["msg_search_name", "msg_search_company", "msg_search_reason"]),
        ("345678", ["msg_search_number"]),
        ("06-12345678", ["msg_caller_history"]),
    ],
)
def test_the_search_uses_the_search_indexes(manager, receptionist, colleague, query, indexes):
    """Enough other callers that reading the whole table would cost more than the indexes."""
    make_messages(
        3000,
        taken_by=receptionist,
        owner=colleague,
        caller_name="Karel",
        caller_company="Bakkerij",
        reason="Terugbellen",
    )
    plan = _plan(messages_found(user=manager, terms=terms_of(query)))
    for index in indexes:
        assert index in plan, plan


@pytest.mark.postgres
@pytest.mark.postgres_only
def test_stemming_finds_other_forms_of_a_reason_word(client, manager, receptionist, colleague):
    message = MessageFactory(taken_by=receptionist, owner=colleague, reason="Vragen over de leveringen")
    assert found(as_user(client, manager), "vraag levering") == [message.pk]
