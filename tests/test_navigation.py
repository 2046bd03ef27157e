import re

import pytest

from tests.conftest import postgres_plan

pytestmark = pytest.mark.django_db


def _nav(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_admin_link_to_managers_only(client, receptionist, colleague, manager, outsider):
    assert 'data-nav="admin"' in _nav(client, manager)
    for user in (receptionist, colleague, outsider):
        assert 'data-nav="admin"' not in _nav(client, user)


@pytest.mark.parametrize("fixture", ["receptionist", "colleague", "manager", "outsider"])
def test_every_navigation_link_opens_a_real_page(client, request, fixture):
    html = _nav(client, request.getfixturevalue(fixture))
    navigation = html[html.index("<nav") : html.index("</nav>")]
    links = set(re.findall(r'href="(/[^"]*)"', navigation))
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_it_shows_the_intake_to_receptionists_and_managers_only(client, receptionist, colleague, manager, outsider):
    for user in (receptionist, manager):
        assert 'href="/callbacks/desk/"' in _nav(client, user)
    for user in (colleague, outsider):
        assert 'href="/callbacks/desk/"' not in _nav(client, user)


def test_it_shows_each_user_their_roles_and_teams(client, colleague, manager):
    html = _nav(client, colleague)
    assert "Collega" in html
    assert "Verkoop" in html


def test_it_shows_messages_from_django(client, colleague):
    client.force_login(colleague)
    response = client.post(
        "/accounts/profile/",
        {"full_name": "Bram", "email": "b@example.test", "phone_extension": "", "preferred_language": "nl"},
        follow=True,
    )
    assert "Je profiel is opgeslagen." in response.content.decode()


def test_someone_without_callbacks_sees_their_own_unread_notices_in_one_query(clock, client, receptionist, colleague):
    """A receptionist's navigation counts only her unread notices (she has no badge), and counts them live."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callbacks.models import Notification
    from callbacks.services.notifications import notification_queue
    from tests.factories import MessageFactory

    message = MessageFactory(taken_by=receptionist, owner=colleague)
    assert 'data-test="unread"' not in _nav(client, receptionist)
    notification_queue(message=message, recipients=[receptionist, colleague], kind=Notification.Kind.NEW_MESSAGE)
    html = _nav(client, receptionist)
    assert 'data-test="unread">1<' in html and 'id="callbacks-badge"' not in html
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    counting = [q["sql"] for q in queries.captured_queries if "callbacks_notification" in q["sql"]]
    assert len(counting) == 1 and "callbacks_message" not in counting[0]
    Notification.objects.filter(recipient=receptionist).update(read_at=message.taken_at)
    assert 'data-test="unread"' not in _nav(client, receptionist)
    assert 'data-test="unread">1<' in _nav(client, colleague)  # hers were read, not his


@pytest.mark.postgres
@pytest.mark.postgres_only  # a PostgreSQL plan
def test_the_unread_notices_are_counted_from_their_own_index_alone(clock, colleague):
    """On every page: read notices pile up for months, and must not be read to count the unread ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callbacks.models import Notification
    from callbacks.selectors import navigation_counts

    rows = Notification.objects.bulk_create(
        Notification(recipient=colleague, kind="digest", channel="in_app", read_at=clock.now() if i % 3 else None)
        for i in range(9)
    )
    with CaptureQueriesContext(connection) as captured:
        counts = navigation_counts(user=colleague, now=clock.now(), owed_totals={"overdue": 0, "today": 0, "later": 0})
    assert (counts.unread, counts.newest_unread) == (3, rows[6].pk)
    (statement,) = [query["sql"] for query in captured if '"callbacks_notification"' in query["sql"]]
    plan = postgres_plan(statement)
    assert "Index Only Scan using notification_unread" in plan, plan
