from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Absence
from accounts.selectors import absence_current, absences_current_and_upcoming

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=AMS)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.clock(at=NOW)]


def _absence(user, stand_in=None, start_days=-1, end_days=3, **fields) -> Absence:
    return Absence(
        user=user,
        stand_in=stand_in,
        starts_at=NOW + timedelta(days=start_days),
        ends_at=NOW + timedelta(days=end_days),
        **fields,
    )


def test_it_refuses_a_return_before_the_start(colleague):
    with pytest.raises(ValidationError) as error:
        _absence(colleague, start_days=2, end_days=1).full_clean()
    assert "ends_at" in error.value.message_dict


def test_it_refuses_the_absent_person_as_their_own_stand_in(colleague):
    with pytest.raises(ValidationError) as error:
        _absence(colleague, stand_in=colleague).full_clean()
    assert "stand_in" in error.value.message_dict


def test_it_refuses_overlapping_absences(colleague, other_colleague):
    _absence(colleague, other_colleague).save()
    with pytest.raises(ValidationError) as error:
        _absence(colleague, other_colleague, start_days=2, end_days=5).full_clean()
    assert "starts_at" in error.value.message_dict
    _absence(colleague, other_colleague, start_days=3, end_days=5).full_clean()


def test_the_database_refuses_impossible_absences_too(colleague):
    with pytest.raises(IntegrityError), transaction.atomic():
        _absence(colleague, start_days=2, end_days=1).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _absence(colleague, stand_in=colleague).save()


def test_it_finds_the_current_absence_and_the_coming_ones(colleague, other_colleague, manager):
    current = _absence(colleague, other_colleague)
    current.save()
    upcoming = _absence(other_colleague, colleague, start_days=5, end_days=7)
    upcoming.save()
    _absence(manager, start_days=30, end_days=31).save()
    _absence(manager, start_days=-10, end_days=-9).save()
    assert absence_current(user=colleague, now=NOW) == current
    assert absence_current(user=other_colleague, now=NOW) is None
    assert list(absences_current_and_upcoming(now=NOW)) == [current, upcoming]


@pytest.mark.usefixtures("clock")
def test_it_shows_who_is_away_and_who_stands_in_on_the_overview(client, colleague, other_colleague):
    _absence(colleague, other_colleague).save()
    client.force_login(other_colleague)
    html = client.get("/").content.decode()
    assert "Je vervangt Bram tot" in html
    client.force_login(colleague)
    html = client.get("/").content.decode()
    assert "Je staat afwezig tot" in html and "Daan vervangt je" in html
