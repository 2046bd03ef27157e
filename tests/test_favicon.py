"""Every page has an icon, so no browser logs a 404 for /favicon.ico."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_link_the_icon_and_it_exists(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = finders.find("favicon.svg")
    assert icon is not None
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")


def test_the_browsers_default_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
