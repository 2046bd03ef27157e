"""Templates keep to readable lines: none over 120 characters, like the Python code (pyproject.toml's ruff).

A plain-text mail is left out: a line break there is a line break in the mail. LONG_FOR_NOW lists the lines
still too long, per file, in templates that were being changed elsewhere when the others were broken (a template
tag cannot span lines: see how the others use {% with %}, `as` and trimmed blocktranslate). The count may only go
down; a file that reaches zero leaves the list.
"""

from pathlib import Path

from django.conf import settings

LIMIT = 120
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PLAIN_TEXT_MAIL = {"registration/password_reset_email.html"}
LONG_FOR_NOW = {
    "accounts/partials/presence.html": 1,
    "callbacks/dashboard/index.html": 2,
    "callbacks/inbox.html": 1,
    "callbacks/list.html": 1,
}


def _long_lines() -> dict[str, list[int]]:
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PLAIN_TEXT_MAIL:
            continue
        lines = [number for number, line in enumerate(path.read_text().splitlines(), 1) if len(line) > LIMIT]
        if lines:
            found[name] = lines
    return found


def test_no_template_line_is_longer_than_the_limit():
    too_long = {name: lines for name, lines in _long_lines().items() if len(lines) > LONG_FOR_NOW.get(name, 0)}
    assert not too_long, "\n".join(
        f"templates/{name}: lines {lines} are over {LIMIT} characters" for name, lines in too_long.items()
    )


def test_the_list_of_long_lines_only_shrinks():
    found = _long_lines()
    stale = {
        name: (count, len(found.get(name, [])))
        for name, count in LONG_FOR_NOW.items()
        if len(found.get(name, [])) < count
    }
    assert not stale, f"fewer long lines than listed (listed, found): lower LONG_FOR_NOW: {stale}"
