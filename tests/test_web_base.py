from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, event handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script":
            if "src" not in names:
                self.problems.append("inline <script>")
            self.scripts.append(dict(attrs).get("src", ""))
        self.problems += [f"{tag} {name}=" for name in names if name.startswith("on") or name == "style"]
        if tag == "style":
            self.problems.append("<style> element")


PAGES = ["/", "/accounts/profile/", "/accounts/password/change/", "/admin/"]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/password/reset/", "/accounts/password/reset/sent/"]


def _check(html: str) -> _InlineCode:
    parser = _InlineCode()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_a_strict_csp_and_no_inline_code(client, manager, url):
    client.force_login(manager)
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    if not url.startswith("/admin/"):
        assert _check(response.content.decode()).problems == []


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_pages_have_no_inline_code(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = _check(response.content.decode())
    assert parser.problems == []
    assert "/static/vendor/htmx/htmx.min.js" in parser.scripts
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in parser.scripts


def test_static_assets_come_from_the_installed_packages(client):
    from django.contrib.staticfiles import finders

    for asset in (
        "vendor/htmx/htmx.min.js",
        "vendor/bootstrap/css/bootstrap.min.css",
        "css/terugbel.css",
        "js/terugbel.js",
    ):
        assert finders.find(asset), asset


def test_it_sends_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_answers_unknown_pages_with_a_friendly_404(client, colleague, settings):
    settings.DEBUG = False
    client.force_login(colleague)
    response = client.get("/nergens/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()
