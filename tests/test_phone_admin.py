"""The manager's phone-system pages: who gets in, the token shown once, renew and revoke, routes, the call log."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team
from telephony.domain.tokens import token_hash
from telephony.models import CallResult, Direction, PhoneCall, PhoneCallEvent, PhoneRoute, PhoneSystem
from tests.factories import MessageFactory
from tests.phone_helpers import make_phone_system

pytestmark = pytest.mark.django_db


@pytest.fixture
def verkoop(colleague) -> Team:
    return Team.objects.get(name="Verkoop")


@pytest.fixture
def mira(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def _everything_stored() -> str:
    """Every text column of every row of the database, to look for a token in."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the schema itself)
            found.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(found)


def _token_from(response) -> str:
    url = response.context["token"]
    assert url and f"/cti/{url}/" in response.content.decode()
    return url


def test_it_refuses_everyone_but_managers(clock, receptionist, colleague, outsider, verkoop):
    system, _ = make_phone_system(team=verkoop)
    call = PhoneCall.objects.create(phone_system=system, call_id="c1", direction=Direction.IN)
    urls = [
        reverse("phone:index"),
        reverse("phone:system_new"),
        reverse("phone:system", kwargs={"system_id": system.pk}),
        reverse("phone:system_revoke", kwargs={"system_id": system.pk}),
        reverse("phone:calls"),
        reverse("phone:call", kwargs={"phone_call_id": call.pk}),
    ]
    for user in (receptionist, colleague, outsider):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("phone:system_renew", kwargs={"system_id": system.pk})).status_code == 404
    assert Client().get(urls[0]).status_code == 302  # to the login page
    system.refresh_from_db()
    assert system.revoked_at is None


def test_it_lets_a_manager_see_every_page(clock, mira, verkoop):
    system, _ = make_phone_system(team=verkoop, name="Centrale Amsterdam")
    call = PhoneCall.objects.create(phone_system=system, call_id="c1", direction=Direction.IN, started_at=clock.now())
    PhoneCallEvent.objects.create(call=call, kind="newCall", payload={"callId": "c1", "from": "0612345678"})
    index = mira.get(reverse("phone:index"))
    assert "Centrale Amsterdam" in index.content.decode()
    assert index.context["systems"][0].calls_today == 1
    assert mira.get(reverse("phone:system", kwargs={"system_id": system.pk})).status_code == 200
    page = mira.get(reverse("phone:call", kwargs={"phone_call_id": call.pk})).content.decode()
    assert "&quot;from&quot;: &quot;0612345678&quot;" in page  # the payload as pretty JSON


def test_it_shows_the_token_once_and_stores_only_its_hash(clock, manager, mira, verkoop):
    response = mira.post(
        reverse("phone:system_new"),
        {"name": "Centrale", "default_team": verkoop.pk, "allowed_addresses": "192.0.2.10\n 198.51.100.0/24 "},
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    token = _token_from(response)
    system = PhoneSystem.objects.get(name="Centrale")
    assert system.token_hash == token_hash(token) and system.created_by == manager
    assert system.allowed_addresses == "192.0.2.10\n198.51.100.0/24"
    assert token not in _everything_stored()
    page = mira.get(reverse("phone:system", kwargs={"system_id": system.pk})).content.decode()
    assert token not in page and f"…{token[-4:]}" in page


def test_it_refuses_an_address_that_is_not_one(clock, mira, verkoop):
    response = mira.post(
        reverse("phone:system_new"),
        {"name": "Centrale", "default_team": verkoop.pk, "allowed_addresses": "192.0.2.10\nkantoor"},
    )
    assert response.status_code == 200 and not PhoneSystem.objects.exists()
    assert "“kantoor”" in response.content.decode()


def test_renewing_gives_a_new_token_and_the_old_one_stops(clock, mira, verkoop):
    system, old = make_phone_system(team=verkoop)
    response = mira.post(reverse("phone:system_renew", kwargs={"system_id": system.pk}))
    new = _token_from(response)
    system.refresh_from_db()
    assert new != old and system.token_hash == token_hash(new)
    assert not PhoneSystem.objects.filter(token_hash=token_hash(old)).exists()
    assert mira.get(reverse("phone:system_renew", kwargs={"system_id": system.pk})).status_code == 405


def test_revoking_asks_first_and_twice_says_already(clock, mira, verkoop):
    system, _ = make_phone_system(team=verkoop)
    url = reverse("phone:system_revoke", kwargs={"system_id": system.pk})
    assert 'data-test="revoke-form"' in mira.get(url).content.decode()
    system.refresh_from_db()
    assert system.revoked_at is None
    first = mira.post(url, follow=True)
    system.refresh_from_db()
    assert system.revoked_at == clock.now()
    clock.shift(minutes=5)
    second = mira.post(url, follow=True)
    system.refresh_from_db()
    assert system.revoked_at != clock.now()
    assert [str(m) for m in first.context["messages"]] != [str(m) for m in second.context["messages"]]
    assert any("already" in str(m) or "al " in str(m) for m in second.context["messages"])


def test_editing_changes_name_team_and_addresses(clock, mira, verkoop, other_colleague):
    system, _ = make_phone_system(team=verkoop)
    service = Team.objects.get(name="Service")
    url = reverse("phone:system", kwargs={"system_id": system.pk})
    response = mira.post(url, {"name": "Nieuw", "default_team": service.pk, "allowed_addresses": "10.0.0.0/8"})
    assert response.status_code == 302
    system.refresh_from_db()
    assert (system.name, system.default_team, system.allowed_addresses) == ("Nieuw", service, "10.0.0.0/8")


def test_routes_store_numbers_as_e164_and_refuse_duplicates(clock, mira, verkoop):
    system, _ = make_phone_system(team=verkoop)
    url = reverse("phone:route_new", kwargs={"system_id": system.pk})
    assert mira.post(url, {"kind": "number", "value": "020-123 4567", "team": verkoop.pk}).status_code == 302
    assert mira.post(url, {"kind": "queue", "value": "  Sales ", "team": verkoop.pk}).status_code == 302
    assert set(system.routes.values_list("kind", "value")) == {("number", "+31201234567"), ("queue", "sales")}

    again = mira.post(url, {"kind": "number", "value": "+31 20 123 4567", "team": verkoop.pk})
    queue_again = mira.post(url, {"kind": "queue", "value": "SALES", "team": verkoop.pk})
    bad = mira.post(url, {"kind": "number", "value": "12a", "team": verkoop.pk})
    for response in (again, queue_again, bad):
        assert response.status_code == 200
        assert response.context["route_form"].errors["value"]
    assert system.routes.count() == 2


def test_a_route_is_removed_once(clock, mira, verkoop):
    system, _ = make_phone_system(team=verkoop)
    route = PhoneRoute.objects.create(phone_system=system, kind="queue", value="sales", team=verkoop)
    url = reverse("phone:route_delete", kwargs={"system_id": system.pk, "route_id": route.pk})
    assert mira.post(url).status_code == 302
    assert mira.post(url).status_code == 302
    assert not PhoneRoute.objects.exists()


def test_the_detail_page_names_the_default_team_and_the_extensions(clock, mira, verkoop, colleague):
    colleague.phone_extension = "211"
    colleague.save(update_fields=["phone_extension"])
    system, _ = make_phone_system(team=verkoop)
    page = mira.get(reverse("phone:system", kwargs={"system_id": system.pk})).content.decode()
    assert "<strong>Verkoop</strong>" in page
    assert "<td>211</td>" in page and reverse("admin:accounts_user_change", args=[colleague.pk]) in page


def _calls(system, count, clock, **fields):
    for index in range(count):
        PhoneCall.objects.create(
            phone_system=system,
            call_id=f"{fields.get('result', 'c')}-{index}-{PhoneCall.objects.count()}",
            direction=Direction.IN,
            started_at=clock.now() - timedelta(minutes=index),
            party_number="+31612345678",
            **fields,
        )


def test_the_call_log_filters_by_result_and_day(clock, mira, verkoop, receptionist, colleague):
    system, _ = make_phone_system(team=verkoop)
    message = MessageFactory(taken_by=receptionist, owner=colleague)
    _calls(system, 2, clock, result=CallResult.MISSED, team=verkoop, message=message)
    _calls(system, 1, clock, result=CallResult.TALKED, agent=colleague)
    PhoneCall.objects.create(
        phone_system=system, call_id="old", direction=Direction.IN, started_at=clock.now() - timedelta(days=2)
    )
    url = reverse("phone:calls")
    assert len(mira.get(url).context["page"]) == 4
    missed = mira.get(url, {"result": "missed"})
    assert len(missed.context["page"]) == 2
    assert reverse("callbacks:detail", kwargs={"pk": message.pk}) in missed.content.decode()
    assert len(mira.get(url, {"result": "answered"}).context["page"]) == 1
    assert len(mira.get(url, {"day": clock.today().isoformat()}).context["page"]) == 3
    assert len(mira.get(url, {"day": "2026-02-30"}).context["page"]) == 4  # an impossible day filters nothing


def test_the_call_log_takes_the_same_queries_for_more_rows(clock, mira, verkoop, colleague):
    system, _ = make_phone_system(team=verkoop)
    _calls(system, 2, clock, result=CallResult.TALKED, agent=colleague, team=verkoop)
    mira.get(reverse("phone:calls"))  # the session and the office's configuration, cached from now on
    with CaptureQueriesContext(connection) as few:
        assert mira.get(reverse("phone:calls")).status_code == 200
    _calls(system, 30, clock, result=CallResult.TALKED, agent=colleague, team=verkoop)
    with CaptureQueriesContext(connection) as many:
        page = mira.get(reverse("phone:calls"))
    assert len(page.context["page"]) == 32
    assert len(many) == len(few)


def test_the_call_log_pages_by_fifty(clock, mira, verkoop):
    system, _ = make_phone_system(team=verkoop)
    _calls(system, 51, clock)
    assert len(mira.get(reverse("phone:calls")).context["page"]) == 50
    assert len(mira.get(reverse("phone:calls"), {"page": 2}).context["page"]) == 1


def test_a_double_click_on_add_makes_one_system_and_says_so(clock, mira, verkoop, monkeypatch):
    # The second click's form was checked before the first one's row was there: the database refuses the name.
    data = {"name": "Centrale", "default_team": verkoop.pk, "allowed_addresses": ""}
    assert mira.post(reverse("phone:system_new"), data).status_code == 200
    monkeypatch.setattr("telephony.forms.manage.phone_system_name_taken", lambda **kwargs: False)
    response = mira.post(reverse("phone:system_new"), data)
    assert response.status_code == 200 and PhoneSystem.objects.count() == 1
    assert "Er is al een telefooncentrale met deze naam." in response.content.decode()
