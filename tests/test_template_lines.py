"""Templates keep to readable lines: none over 120 characters, like the Python code (pyproject.toml's ruff).

A plain-text mail is left out: a line break there is a line break in the mail. A template tag cannot span
lines: see how the templates use {% with %}, `{% url ... as name %}` and trimmed blocktranslate to stay within.
"""

from pathlib import Path

from django.conf import settings

LIMIT = 120
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PLAIN_TEXT_MAIL = {"registration/password_reset_email.html"}


def _long_lines() -> dict[str, list[int]]:
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.xml")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PLAIN_TEXT_MAIL:
            continue
        lines = [number for number, line in enumerate(path.read_text().splitlines(), 1) if len(line) > LIMIT]
        if lines:
            found[name] = lines
    return found


def test_no_template_line_is_longer_than_the_limit():
    too_long = _long_lines()
    assert not too_long, "\n".join(
        f"templates/{name}: lines {lines} are over {LIMIT} characters" for name, lines in too_long.items()
    )


def test_the_check_finds_a_long_line(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text("<p>" + "x" * LIMIT + "</p>\n<p>short</p>\n")
    monkeypatch.setitem(globals(), "TEMPLATES", tmp_path)
    assert _long_lines() == {"page.html": [1]}
