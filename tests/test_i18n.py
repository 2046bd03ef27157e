from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES"


def _entries(po_text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry; plural forms count through their first msgstr."""
    entries, msgid, msgstr, fuzzy, field = [], None, None, False, None
    for line in po_text.splitlines() + [""]:
        if not line.strip():
            if msgid:
                entries.append((msgid, msgstr or "", fuzzy))
            msgid, msgstr, fuzzy, field = None, None, False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, field = line[7:-1], "id"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, field = line.split(" ", 1)[1][1:-1], "str"
        elif line.startswith('"') and field == "id":
            msgid = (msgid or "") + line[1:-1]
        elif line.startswith('"') and field == "str" and msgstr is not None:
            msgstr += line[1:-1]
        elif line.startswith("msgid_plural") or line.startswith("msgstr["):
            field = None
    return entries


def test_the_dutch_catalogue_is_complete():
    entries = _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_the_dutch_catalogue_is_compiled_and_used():
    assert (LOCALE / "django.mo").exists(), "run `make messages`"
    with translation.override("nl"):
        assert translation.gettext("Users, teams and absences") == "Gebruikers, teams en afwezigheid"
    with translation.override("en"):
        assert translation.gettext("Users, teams and absences") == "Users, teams and absences"


@pytest.mark.parametrize("language, text", [("nl", "Wachtwoord vergeten?"), ("en", "Forgot your password?")])
def test_the_login_page_speaks_both_languages(client, db, language, text):
    client.cookies["django_language"] = language
    assert text in client.get("/accounts/login/").content.decode()


def test_every_text_marked_in_python_is_in_the_catalogue():
    """makemessages cannot see a gettext call inside an f-string: such a text silently stays English."""
    import re

    root = Path(__file__).resolve().parent.parent
    known = {msgid for msgid, _msgstr, _fuzzy in _entries((LOCALE / "django.po").read_text(encoding="utf-8"))}
    marked = re.compile(r'\b(?:gettext|gettext_lazy|_)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]')
    missing = sorted(
        f"{path.relative_to(root)}: {text}"
        for folder in ("accounts", "callbacks", "config", "telephony")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
        for text in marked.findall(path.read_text(encoding="utf-8"))
        if text not in known
    )
    assert missing == []
