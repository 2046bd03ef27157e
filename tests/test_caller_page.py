"""One page per caller (callbacks/views/caller_page.py): every message of the caller's numbers the person may
see, kept and late promises, linking and unlinking numbers, and 404 for whoever sees none of them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callbacks.models import Attempt, Caller, CallerLinkEvent, CallerNumber, Outcome, Status
from callbacks.services.callers import NumberOfAnotherCaller, caller_number_link, caller_number_unlink
from tests.conftest import login_across_time
from tests.factories import MessageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

LANDLINE = "+31201234567"
MOBILE = "+31612345678"


def page_of(client, user, number: str = MOBILE):
    login_across_time(client, user)
    return client.get(reverse("callers:by_number", kwargs={"number": number}))


@pytest.fixture
def history(clock, receptionist, colleague, other_colleague, manager):
    """Pieter called Bram's team from his mobile (kept, then late, then open past its deadline), and Daan from
    the office landline."""
    kept = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        reason="Offerte kozijnen",
        taken_at=clock.now() - timedelta(days=10),
        status=Status.HANDLED,
        deadline=clock.now() - timedelta(days=9),
        handled_at=clock.now() - timedelta(days=9, hours=2),
        handled_by=colleague,
        outcome=Outcome.SOLVED,
    )
    late = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        reason="Levering te laat",
        taken_at=clock.now() - timedelta(days=5),
        status=Status.HANDLED,
        deadline=clock.now() - timedelta(days=4),
        handled_at=clock.now() - timedelta(days=3),
        handled_by=colleague,
        outcome=Outcome.SOLVED,
    )
    overdue = MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        reason="Factuur klopt niet",
        taken_at=clock.now() - timedelta(days=2),
        deadline=clock.now() - timedelta(hours=1),
    )
    Attempt.objects.create(
        message=overdue, made_by=colleague, made_at=clock.now() - timedelta(days=1), result=Attempt.Result.NO_ANSWER
    )
    landline = MessageFactory(
        taken_by=manager, owner=other_colleague, caller_number=LANDLINE, reason="Service aan de cv-ketel"
    )
    return kept, late, overdue, landline


def test_it_shows_every_message_newest_first_with_kept_and_late_promises(client, colleague, history):
    kept, late, overdue, _landline = history
    response = page_of(client, colleague)
    assert response.status_code == 200
    listed = list(response.context["page"].messages)
    assert [message.pk for message in listed] == [overdue.pk, late.pk, kept.pk]
    assert [message.promise for message in listed] == ["overdue", "late", "kept"]
    page = response.content.decode()
    assert page.index("Factuur klopt niet") < page.index("Levering te laat") < page.index("Offerte kozijnen")
    assert 'data-promise="kept"' in page and 'data-promise="late"' in page
    assert "1 van 3 beloften nagekomen (33%)" in page  # the overdue one counts as not kept
    assert "Geen gehoor" in page  # the attempt, with who made it
    assert "Service aan de cv-ketel" not in page  # the landline is not linked (yet)


def test_a_linked_number_brings_its_messages_onto_the_page(client, manager, history, clock):
    caller = caller_number_link(number=MOBILE, other=LANDLINE, actor=manager, now=clock.now())
    login_across_time(client, manager)
    response = client.get(reverse("callers:by_number", kwargs={"number": LANDLINE}))
    assert response.status_code == 302 and response["Location"] == reverse("callers:detail", args=[caller.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Service aan de cv-ketel" in page and "Factuur klopt niet" in page
    assert "4 berichten" in page
    assert "020 123 4567 gekoppeld door Mira op" in page


def test_each_role_sees_only_its_own_messages_and_404_when_none(
    client, receptionist, colleague, other_colleague, manager, outsider, history, clock
):
    caller = caller_number_link(number=MOBILE, other=LANDLINE, actor=manager, now=clock.now())
    url = reverse("callers:detail", args=[caller.pk])
    seen = {}
    for user in (receptionist, colleague, other_colleague, manager, outsider):
        login_across_time(client, user)
        response = client.get(url)
        seen[user.username] = (
            response.status_code,
            response.context["page"].total if response.status_code == 200 else None,
        )
    # Anna took the mobile's three; Bram owns those; Daan owns the landline's one; Mira sees all; Olaf nothing.
    assert seen == {"anna": (200, 3), "bram": (200, 3), "daan": (200, 1), "mira": (200, 4), "olaf": (404, None)}


def test_a_colleague_of_another_team_gets_404_as_for_an_unknown_number(client, other_colleague, history):
    assert page_of(client, other_colleague).status_code == 404
    assert page_of(client, other_colleague, "+31687654321").status_code == 404
    assert page_of(client, other_colleague, "not-a-number").status_code == 404


def test_an_anonymised_message_stays_off_the_page(client, colleague, history, clock):
    kept, late, overdue, _landline = history
    type(overdue).objects.filter(pk__in=[kept.pk, late.pk]).update(anonymised_at=clock.now())
    response = page_of(client, colleague)
    assert [message.pk for message in response.context["page"].messages] == [overdue.pk]


def test_linking_and_unlinking_is_logged_and_idempotent(manager, colleague, clock):
    caller = caller_number_link(number=MOBILE, other=LANDLINE, actor=colleague, now=clock.now())
    again = caller_number_link(number=LANDLINE, other=MOBILE, actor=manager, now=clock.now())
    assert again == caller
    assert sorted(str(n) for n in CallerNumber.objects.filter(caller=caller).values_list("number", flat=True)) == [
        LANDLINE,
        MOBILE,
    ]
    assert list(CallerLinkEvent.objects.values_list("action", "actor__username")) == [
        ("linked", "bram"),
        ("linked", "bram"),
    ]
    assert caller_number_unlink(caller=caller, number=LANDLINE, actor=manager, now=clock.now()) is True
    assert caller_number_unlink(caller=caller, number=LANDLINE, actor=manager, now=clock.now()) is False
    assert CallerLinkEvent.objects.filter(action="unlinked").count() == 1
    assert caller_number_unlink(caller=caller, number=MOBILE, actor=manager, now=clock.now()) is True
    assert not Caller.objects.exists()  # the caller went with the last number; the log stays
    assert CallerLinkEvent.objects.count() == 4


def test_a_number_of_another_caller_is_not_moved(manager, clock):
    caller_number_link(number=MOBILE, other=LANDLINE, actor=manager, now=clock.now())
    with pytest.raises(NumberOfAnotherCaller):
        caller_number_link(number="+31301234567", other=LANDLINE, actor=manager, now=clock.now())


def test_linking_on_the_page_parses_the_number_as_written(client, colleague, history):
    login_across_time(client, colleague)
    response = client.post(reverse("callers:link", kwargs={"number": MOBILE}), {"other": "020-123 45 67"})
    caller = Caller.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("callers:detail", args=[caller.pk])
    assert CallerNumber.objects.filter(caller=caller, number=LANDLINE).exists()
    # A second click changes nothing.
    client.post(reverse("callers:link", kwargs={"number": MOBILE}), {"other": "+31 20 1234567"})
    assert CallerNumber.objects.count() == 2 and CallerLinkEvent.objects.count() == 2


def test_a_refused_number_shows_the_page_again_with_the_reason(client, colleague, history):
    login_across_time(client, colleague)
    response = client.post(reverse("callers:link", kwargs={"number": MOBILE}), {"other": "112"})
    assert response.status_code == 200
    assert "Korte nummers" in response.content.decode() or response.context["form"].errors
    assert not Caller.objects.exists()


def test_unlinking_on_the_page(client, colleague, manager, history, clock):
    caller = caller_number_link(number=MOBILE, other=LANDLINE, actor=manager, now=clock.now())
    login_across_time(client, colleague)
    response = client.post(reverse("callers:unlink", args=[caller.pk]), {"number": "020 1234567"})
    assert response.status_code == 302
    assert list(CallerNumber.objects.values_list("number", flat=True)) == [MOBILE]
    assert CallerLinkEvent.objects.filter(action="unlinked", actor=colleague).count() == 1


def test_who_sees_no_message_cannot_link_or_unlink(client, other_colleague, outsider, manager, history, clock):
    caller = caller_number_link(number=MOBILE, other="+31301234567", actor=manager, now=clock.now())
    login_across_time(client, outsider)
    assert client.post(reverse("callers:link", kwargs={"number": MOBILE}), {"other": LANDLINE}).status_code == 404
    assert client.post(reverse("callers:unlink", args=[caller.pk]), {"number": MOBILE}).status_code == 404
    assert CallerNumber.objects.count() == 2


def test_the_manager_gets_the_privacy_button_with_every_number_and_others_do_not(
    client, manager, colleague, history, clock, monkeypatch
):
    from django.urls import NoReverseMatch

    from callbacks.views import caller_page

    caller_number_link(number=MOBILE, other=LANDLINE, actor=manager, now=clock.now())
    try:
        base = reverse("dashboard:privacy_caller")
    except NoReverseMatch:  # the privacy helper's pages are built beside this one; stand in for their address
        base = "/dashboard/privacy/caller/"
        real = caller_page.reverse
        monkeypatch.setattr(
            caller_page,
            "reverse",
            lambda name, *a, **k: base if name == "dashboard:privacy_caller" else real(name, *a, **k),
        )
    page = client.get(page_of(client, manager)["Location"]).content.decode()
    assert f'href="{base}?number=%2B31612345678&amp;number=%2B31201234567"' in page
    assert 'data-test="privacy"' not in client.get(page_of(client, colleague)["Location"]).content.decode()


def test_the_page_is_capped_and_older_messages_are_on_the_next_pages(
    client, colleague, receptionist, clock, monkeypatch
):
    from callbacks.selectors import callers

    monkeypatch.setattr(callers, "PAGE_SIZE", 3)
    made = [
        MessageFactory(taken_by=receptionist, owner=colleague, taken_at=clock.now() - timedelta(hours=hours))
        for hours in range(1, 6)
    ]
    response = page_of(client, colleague)
    assert [m.pk for m in response.context["page"].messages] == [m.pk for m in made[:3]]
    assert response.context["page"].total == 5 and 'data-test="caller-older"' in response.content.decode()
    older = client.get(reverse("callers:by_number", kwargs={"number": MOBILE}), {"page": 2})
    assert [m.pk for m in older.context["page"].messages] == [m.pk for m in made[3:]]


def test_the_number_of_queries_does_not_grow_with_the_messages(client, colleague, receptionist, clock):
    login_across_time(client, colleague)
    url = reverse("callers:by_number", kwargs={"number": MOBILE})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for hours in range(2):
        message = MessageFactory(taken_by=receptionist, owner=colleague, taken_at=clock.now() - timedelta(hours=hours))
        Attempt.objects.create(message=message, made_by=colleague, result=Attempt.Result.VOICEMAIL)
    queries()  # the office's configuration and the navigation counts are cached from the first page on
    few = queries()
    for hours in range(2, 12):
        message = MessageFactory(taken_by=receptionist, owner=colleague, taken_at=clock.now() - timedelta(hours=hours))
        Attempt.objects.create(message=message, made_by=colleague, result=Attempt.Result.VOICEMAIL)
    queries()  # the navigation counts again: every message written moved their generation on
    assert queries() == few


def test_the_list_the_detail_the_intake_and_the_dashboard_link_to_the_page(
    client, receptionist, colleague, manager, clock
):
    message = MessageFactory(taken_by=receptionist, owner=colleague, deadline=clock.now() - timedelta(minutes=5))
    url = reverse("callers:by_number", kwargs={"number": MOBILE})
    link = f'href="{url}"'
    login_across_time(client, colleague)
    assert link in client.get(reverse("callbacks:list")).content.decode()
    detail = client.get(reverse("callbacks:detail", args=[message.pk]))
    assert link in detail.content.decode() and "no-store" in detail["Cache-Control"]
    login_across_time(client, receptionist)
    known = client.get(reverse("callbacks:caller_known"), {"caller-number": "06 12345678"}, HTTP_HX_REQUEST="true")
    assert link in known.content.decode()
    login_across_time(client, manager)
    assert link in client.get(reverse("dashboard:index")).content.decode()
    assert client.get(url).status_code == 200
