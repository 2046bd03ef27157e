"""Reading a message back on the phone: names in the Dutch spelling alphabet, numbers in spoken groups."""

import pytest
from django.utils import translation
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.domain.readback import DUTCH_ALPHABET, SpelledLetter, spell_name, spoken_phone

# (letter as typed, alphabet word or sign name, accent note), with the English source texts of signs and notes.
NAMES = [
    pytest.param(
        "Pieter de Boer",
        [
            ("P", "Pieter", ""),
            ("i", "Izaak", ""),
            ("e", "Eduard", ""),
            ("t", "Teunis", ""),
            ("e", "Eduard", ""),
            ("r", "Rudolf", ""),
            (" ", "space", ""),
            ("d", "Dirk", ""),
            ("e", "Eduard", ""),
            (" ", "space", ""),
            ("B", "Bernard", ""),
            ("o", "Otto", ""),
            ("e", "Eduard", ""),
            ("r", "Rudolf", ""),
        ],
        id="spaces",
    ),
    pytest.param("Bijl", [("B", "Bernard", ""), ("ij", "IJmuiden", ""), ("l", "Lodewijk", "")], id="ij inside"),
    pytest.param(
        "IJsbrand",
        [
            ("IJ", "IJmuiden", ""),
            ("s", "Simon", ""),
            ("b", "Bernard", ""),
            ("r", "Rudolf", ""),
            ("a", "Anton", ""),
            ("n", "Nico", ""),
            ("d", "Dirk", ""),
        ],
        id="IJ at the start",
    ),
    pytest.param("Ijs", [("Ij", "IJmuiden", ""), ("s", "Simon", "")], id="Ij as typed"),
    pytest.param(
        "Reijnders",
        [
            ("R", "Rudolf", ""),
            ("e", "Eduard", ""),
            ("ij", "IJmuiden", ""),
            ("n", "Nico", ""),
            ("d", "Dirk", ""),
            ("e", "Eduard", ""),
            ("r", "Rudolf", ""),
            ("s", "Simon", ""),
        ],
        id="ei before ij",
    ),
    pytest.param(
        "Yvonne",
        [
            ("Y", "Ypsilon", ""),
            ("v", "Victor", ""),
            ("o", "Otto", ""),
            ("n", "Nico", ""),
            ("n", "Nico", ""),
            ("e", "Eduard", ""),
        ],
        id="y is not ij",
    ),
    pytest.param(
        "Émile",
        [
            ("É", "Eduard", "accent aigu"),
            ("m", "Maria", ""),
            ("i", "Izaak", ""),
            ("l", "Lodewijk", ""),
            ("e", "Eduard", ""),
        ],
        id="accent aigu",
    ),
    pytest.param(
        "O'Neil",
        [
            ("O", "Otto", ""),
            ("'", "apostrophe", ""),
            ("N", "Nico", ""),
            ("e", "Eduard", ""),
            ("i", "Izaak", ""),
            ("l", "Lodewijk", ""),
        ],
        id="apostrophe",
    ),
    pytest.param(
        "D’Hondt",
        [
            ("D", "Dirk", ""),
            ("’", "apostrophe", ""),
            ("H", "Hendrik", ""),
            ("o", "Otto", ""),
            ("n", "Nico", ""),
            ("d", "Dirk", ""),
            ("t", "Teunis", ""),
        ],
        id="typographic apostrophe",
    ),
    pytest.param(
        "Jan-Willem",
        [
            ("J", "Johan", ""),
            ("a", "Anton", ""),
            ("n", "Nico", ""),
            ("-", "hyphen", ""),
            ("W", "Willem", ""),
            ("i", "Izaak", ""),
            ("l", "Lodewijk", ""),
            ("l", "Lodewijk", ""),
            ("e", "Eduard", ""),
            ("m", "Maria", ""),
        ],
        id="hyphen",
    ),
    pytest.param(
        "St. Clair",
        [
            ("S", "Simon", ""),
            ("t", "Teunis", ""),
            (".", "full stop", ""),
            (" ", "space", ""),
            ("C", "Cornelis", ""),
            ("l", "Lodewijk", ""),
            ("a", "Anton", ""),
            ("i", "Izaak", ""),
            ("r", "Rudolf", ""),
        ],
        id="full stop",
    ),
    pytest.param("Zoë", [("Z", "Zaandam", ""), ("o", "Otto", ""), ("ë", "Eduard", "diaeresis")], id="diaeresis"),
    pytest.param(
        "Françoise",
        [
            ("F", "Ferdinand", ""),
            ("r", "Rudolf", ""),
            ("a", "Anton", ""),
            ("n", "Nico", ""),
            ("ç", "Cornelis", "cedilla"),
            ("o", "Otto", ""),
            ("i", "Izaak", ""),
            ("s", "Simon", ""),
            ("e", "Eduard", ""),
        ],
        id="cedilla",
    ),
    pytest.param(
        "Núñez",
        [
            ("N", "Nico", ""),
            ("ú", "Utrecht", "accent aigu"),
            ("ñ", "Nico", "tilde"),
            ("e", "Eduard", ""),
            ("z", "Zaandam", ""),
        ],
        id="tilde",
    ),
    pytest.param(
        "Åke Brûlè",
        [
            ("Å", "Anton", "ring"),
            ("k", "Karel", ""),
            ("e", "Eduard", ""),
            (" ", "space", ""),
            ("B", "Bernard", ""),
            ("r", "Rudolf", ""),
            ("û", "Utrecht", "accent circonflexe"),
            ("l", "Lodewijk", ""),
            ("è", "Eduard", "accent grave"),
        ],
        id="ring, circonflexe, grave",
    ),
    pytest.param(
        "Quirine Xu",
        [
            ("Q", "Quotiënt", ""),
            ("u", "Utrecht", ""),
            ("i", "Izaak", ""),
            ("r", "Rudolf", ""),
            ("i", "Izaak", ""),
            ("n", "Nico", ""),
            ("e", "Eduard", ""),
            (" ", "space", ""),
            ("X", "Xantippe", ""),
            ("u", "Utrecht", ""),
        ],
        id="q and x",
    ),
    pytest.param(
        "  van   Dijk ",
        [
            ("v", "Victor", ""),
            ("a", "Anton", ""),
            ("n", "Nico", ""),
            (" ", "space", ""),
            ("D", "Dirk", ""),
            ("ij", "IJmuiden", ""),
            ("k", "Karel", ""),
        ],
        id="extra whitespace collapsed",
    ),
    pytest.param(
        "Ĳsselmeer",
        [
            ("Ĳ", "IJmuiden", ""),
            ("s", "Simon", ""),
            ("s", "Simon", ""),
            ("e", "Eduard", ""),
            ("l", "Lodewijk", ""),
            ("m", "Maria", ""),
            ("e", "Eduard", ""),
            ("e", "Eduard", ""),
            ("r", "Rudolf", ""),
        ],
        id="the ij ligature",
    ),
    pytest.param(
        "Blĳdorp",
        [
            ("B", "Bernard", ""),
            ("l", "Lodewijk", ""),
            ("ĳ", "IJmuiden", ""),
            ("d", "Dirk", ""),
            ("o", "Otto", ""),
            ("r", "Rudolf", ""),
            ("p", "Pieter", ""),
        ],
        id="the lower-case ij ligature",
    ),
    pytest.param("Øre", [("Ø", "", ""), ("r", "Rudolf", ""), ("e", "Eduard", "")], id="a letter the alphabet lacks"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_spell_name(name, expected):
    with translation.override("en"):
        spelled = [(item.letter, item.word, item.note) for item in spell_name(name)]
    assert spelled == expected


def test_spell_name_returns_spelled_letters_with_plain_strings():
    with translation.override("en"):
        spelled = spell_name("Émile")
    assert spelled[0] == SpelledLetter("É", "Eduard", "accent aigu")
    assert all(type(item.word) is str and type(item.note) is str for item in spelled)


def test_signs_and_notes_are_read_in_dutch():
    with translation.override("nl"):
        spelled = [(item.letter, item.word, item.note) for item in spell_name("Zoë-Jan d'Ar")]
    assert spelled == [
        ("Z", "Zaandam", ""),
        ("o", "Otto", ""),
        ("ë", "Eduard", "trema"),
        ("-", "streepje", ""),
        ("J", "Johan", ""),
        ("a", "Anton", ""),
        ("n", "Nico", ""),
        (" ", "spatie", ""),
        ("d", "Dirk", ""),
        ("'", "apostrof", ""),
        ("A", "Anton", ""),
        ("r", "Rudolf", ""),
    ]


def test_every_letter_of_the_alphabet_has_its_word():
    with translation.override("en"):
        spelled = spell_name("abcdefghijklmnopqrstuvwxyz")
    # "ij" in the middle of the alphabet is read as one letter.
    assert [item.letter for item in spelled] == list("abcdefgh") + ["ij"] + list("klmnopqrstuvwxyz")
    assert [item.word for item in spelled] == [DUTCH_ALPHABET[item.letter.upper()] for item in spelled]
    assert len(set(DUTCH_ALPHABET.values())) == 27


PHONES = [
    pytest.param("+31612345678", "06 - 12 34 56 78", id="mobile"),
    pytest.param("+31201234567", "020 - 123 45 67", id="amsterdam 020"),
    pytest.param("+31101234567", "010 - 123 45 67", id="rotterdam 010"),
    pytest.param("+31703456789", "070 - 345 67 89", id="the hague 070"),
    pytest.param("+31181123456", "0181 - 12 34 56", id="spijkenisse 0181"),
    pytest.param("+318001234", "0800 - 12 34", id="0800 short"),
    pytest.param("+318001234567", "0800 - 123 45 67", id="0800 long"),
    pytest.param("+31900123456", "0900 - 12 34 56", id="0900"),
    pytest.param("+31881234567", "088 - 123 45 67", id="088 company number"),
    pytest.param("+3225551212", "+32 2 555 12 12", id="brussels"),
    pytest.param("+447911123456", "+44 7911 123456", id="uk mobile"),
    pytest.param("0612345678", "06 - 12 34 56 78", id="national form is read as dutch"),
    pytest.param("+31 20 123 4567", "020 - 123 45 67", id="typed with spaces"),
    pytest.param("garbage", "garbage", id="garbage unchanged"),
    pytest.param("", "", id="empty unchanged"),
]


@pytest.mark.parametrize(("number", "expected"), PHONES)
def test_spoken_phone(number, expected):
    assert spoken_phone(number) == expected


def test_spoken_phone_accepts_a_phone_number_object():
    assert spoken_phone(PhoneNumber.from_string("+31201234567")) == "020 - 123 45 67"
