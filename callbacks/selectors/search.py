"""Search over the messages a person may see: by name, company, number in any written form, words in the reason.

Every query starts from Message.objects.visible_to(user), so search never shows more than the lists do.
Ranked: the caller's exact number first, then a name, company or part of a number, then words in the reason;
newest first within a rank.

On PostgreSQL the conditions are answered from the indexes of migration 0008_search_indexes (pg_trgm for the substring
conditions, a full-text index for the reason); on SQLite they are plain LIKE conditions over the table.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from callbacks.domain import phone
from callbacks.models import Message

# Fewer digits than this match a large part of any office's numbers, and trigrams need three characters.
FEWEST_DIGITS = 4
FEWEST_LETTERS = 2
LONGEST_QUERY = 100
# The reason's full-text configuration; the index of migration 0008 is built on the same expression.
REASON_CONFIG = "dutch"
EXACT_NUMBER, CALLER, REASON = 0, 1, 2


@dataclass(frozen=True)
class SearchTerms:
    """What a typed query asks for; ``problem`` says why it asks for nothing."""

    text: str = ""
    number: str = ""  # E.164, when the query is a whole number
    digits: str = ""  # a part of a number, written as it is stored ("+316123" or "345678")
    problem: str = ""


def terms_of(raw: str) -> SearchTerms:
    """Read a typed query: a whole number, a part of one, or words."""
    # Control characters (a NUL cannot even be sent to PostgreSQL) count as spaces.
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", str(raw or "")).split())[:LONGEST_QUERY]
    if not text:
        return SearchTerms(problem="empty")
    if re.fullmatch(r"[\d\s+\-\u2010-\u2015./()]+", text):
        number = phone.parse(text) or ""
        digits = _stored_digits(text)
        if not number and len(re.sub(r"\D", "", text)) < FEWEST_DIGITS:
            return SearchTerms(problem="too_short")
        return SearchTerms(number=number, digits=digits)
    if len(re.sub(r"\W", "", text)) < FEWEST_LETTERS:
        return SearchTerms(problem="too_short")
    return SearchTerms(text=text)


def _stored_digits(text: str) -> str:
    """A part of a number as it appears inside the stored E.164 form: "06-1234" is "+3161234"."""
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+31" + digits[1:]
    return digits


def messages_found(*, user: User, terms: SearchTerms) -> QuerySet[Message]:
    """The visible messages matching the terms, annotated ``rank``, in the order the results page shows them."""
    found = Message.objects.visible_to(user).filter(anonymised_at__isnull=True)
    if terms.problem:
        return found.none()
    if terms.text:
        caller = Q(caller_name__icontains=terms.text) | Q(caller_company__icontains=terms.text)
        found, reason = _reason_words(found, terms.text)
        ranks = [When(caller, then=Value(CALLER)), When(reason, then=Value(REASON))]
        matching = caller | reason
    elif terms.number:
        # A whole number is found by equality (msg_caller_history): inside a stored E.164 form it can only
        # stand whole, and its trigrams ("+31", "316") are in nearly every row of the trigram index.
        matching = Q(caller_number=terms.number)
        ranks = [When(matching, then=Value(EXACT_NUMBER))]
    else:
        matching = Q(caller_number__contains=terms.digits)
        ranks = [When(matching, then=Value(CALLER))]
    return (
        found.filter(matching)
        .annotate(rank=Case(*ranks, default=Value(REASON), output_field=IntegerField()))
        .select_related("owner_user", "owner_team")
        .order_by("rank", "-taken_at", "-pk")
    )


def _reason_words(found: QuerySet[Message], text: str) -> tuple[QuerySet[Message], Q]:
    """Every word of the query in the reason: full-text search (Dutch stems) on PostgreSQL, LIKE on SQLite."""
    if connection.vendor == "postgresql":
        found = found.alias(reason_vector=SearchVector("reason", config=REASON_CONFIG))
        return found, Q(reason_vector=SearchQuery(text, config=REASON_CONFIG, search_type="websearch"))
    words = Q()
    for word in text.split():
        words &= Q(reason__icontains=word)
    return found, words
