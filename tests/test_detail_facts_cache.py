"""The detail page's facts (the list of what the message says) are kept in the fragments cache under
selectors/timeline.py's detail_cache_key: every change to what they show draws them anew, an anonymised
message does not stay readable, and the forms with their tokens are never part of what is kept."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.test import Client

from accounts.models import Absence
from callbacks import services
from callbacks.models import Attempt, Message
from callbacks.services.phone_attempts import attempt_record
from callbacks.services.retention import message_batch_anonymise
from tests.conftest import login_across_time, make_user
from tests.factories import MessageFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW), pytest.mark.usefixtures("clock")]


@pytest.fixture
def message(receptionist, colleague):
    return MessageFactory(
        taken_by=receptionist,
        owner=colleague,
        caller_name="Joop Zoetemelk",
        caller_number="+31612345678",
        caller_email="joop@example.test",
        reason="Vraag over de offerte",
        deadline=NOW + timedelta(hours=2),
    )


def _facts(client, message: Message) -> str:
    page = client.get(f"/callbacks/{message.pk}/").content.decode()
    start = page.index('<dl class="row mb-3">')
    return page[start : page.index("</dl>", start)]


def test_the_facts_are_kept_and_served_from_the_fragments_cache(bram, message):
    first = _facts(bram, message)
    assert "Vraag over de offerte" in first
    # Changed behind the cache's back (no version, nothing in the key): the kept copy is what shows.
    Message.objects.filter(pk=message.pk).update(reason="Niet via een service")
    assert _facts(bram, message) == first
    caches["fragments"].clear()
    assert "Niet via een service" in _facts(bram, message)


def test_a_correction_shows(bram, message, receptionist):
    _facts(bram, message)
    services.message_correct(
        message=message, version=message.version, by=receptionist, values={"reason": "Andere vraag"}
    )
    facts = _facts(bram, message)
    assert "Andere vraag" in facts and "Vraag over de offerte" not in facts


def test_an_attempt_the_phone_system_logs_shows_without_a_new_version(bram, message, colleague):
    assert "0 terugbelpogingen" in _facts(bram, message)
    attempt_record(message=message, by=colleague, result=Attempt.Result.NO_ANSWER, note="", made_at=NOW)
    assert Message.objects.get(pk=message.pk).version == message.version
    assert "1 terugbelpoging" in _facts(bram, message)


def test_routing_to_a_stand_in_shows_the_new_owner(bram, receptionist, colleague):
    carla = make_user("carla", "colleague", full_name="Carla Visser")
    team = colleague.teams.get()
    team.members.add(carla)
    message = MessageFactory(taken_by=receptionist, owner=carla, team=team, deadline=NOW + timedelta(hours=2))
    assert "Carla Visser" in _facts(bram, message).split('data-test="owner">')[1][:20]
    Absence.objects.create(
        user=carla, stand_in=colleague, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=1)
    )
    assert services.messages_route_to_stand_ins(now=NOW) == 1
    owner = _facts(bram, message).split('data-test="owner">')[1]
    assert owner.startswith(colleague.get_full_name())
    assert "Carla Visser" in owner  # as the one the caller asked for


def test_an_anonymised_message_does_not_stay_readable(bram, message):
    facts = _facts(bram, message)
    assert "Joop" not in facts  # the name is the heading, outside the facts
    assert "joop@example.test" in facts and "Vraag over de offerte" in facts
    assert message_batch_anonymise(ids=[message.pk], now=NOW) == 1
    page = bram.get(f"/callbacks/{message.pk}/").content.decode()
    assert "joop@example.test" not in page and "Vraag over de offerte" not in page and "612345678" not in page


def test_the_facts_follow_the_language(bram, message, colleague):
    assert "Soort gesprek" in _facts(bram, message)
    colleague.preferred_language = "en"
    colleague.save(update_fields=["preferred_language"])
    english = _facts(bram, message)
    assert "Type of call" in english and "Soort gesprek" not in english


def test_a_team_mate_acts_with_their_own_token_around_the_kept_facts(message, colleague):
    carla = make_user("carla", "colleague", full_name="Carla Visser")
    colleague.teams.get().members.add(carla)
    for user in (colleague, carla):  # the second draws the facts the first kept
        client = Client(enforce_csrf_checks=True)
        login_across_time(client, user)
        page = client.get(f"/callbacks/{message.pk}/").content.decode()
        assert "Vraag over de offerte" in page
        form = page[page.index('data-test="attempt-form"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        version = Message.objects.get(pk=message.pk).version
        response = client.post(
            f"/callbacks/{message.pk}/attempt/",
            {"csrfmiddlewaretoken": token, "attempt-version": version, "attempt-result": "no_answer"},
        )
        assert response.status_code == 302
    assert list(Attempt.objects.filter(message=message).values_list("made_by", flat=True)) == [colleague.pk, carla.pk]
