"""`{% crispy_cached form %}`: a form as `{{ form|crispy }}` renders it, kept in Django's cache while unbound.

crispy-bootstrap5 renders every field through several templates, a few milliseconds per form, and the
detail page shows up to four action forms that look the same for every message of the same version. Only
the fields are kept: the <form> tag and its CSRF token stay in the page's template, outside the fragment.
"""

import hashlib

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.translation import get_language

from accounts import configuration_cache

register = template.Library()


@register.simple_tag
def crispy_cached(form: forms.BaseForm) -> str:
    """The form's fields; an unbound form from the cache, a bound one (typed values, errors) always afresh.

    Only for forms whose markup follows from their class, prefix, initial values, the language and the
    office's configuration (choices built from it), never from the person or the clock. The key holds the
    first four; `configuration_cache.remembered` adds the configuration version, so a change to users, teams
    or roles is shown on the next request, and keeps the entry at most MAX_AGE_SECONDS (minutes), in the
    fragments cache: each process's own copy first, as the page's other fragments. A new
    message version changes the initial values, so a form never carries a version the message has left.
    The initial values are hashed: they may hold a caller's data, which does not belong in a key's name.
    """
    if form.is_bound:
        return as_crispy_form(form)
    initial = repr(sorted((name, str(value)) for name, value in form.initial.items()))
    form_class = f"{type(form).__module__}.{type(form).__qualname__}"
    digest = hashlib.sha256(f"{form_class}:{form.prefix}:{initial}".encode()).hexdigest()
    key = f"crispy:{get_language()}:{digest}"
    return configuration_cache.remembered(key, lambda: as_crispy_form(form), using="fragments")
