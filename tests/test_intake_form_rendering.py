"""The intake steps' forms rendered by the bootstrap_fields filter look exactly as crispy renders them:
same tags, attributes, classes, labels, help texts and errors, empty, filled in and with errors."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from callbacks import selectors
from callbacks.forms.intake import CallerForm, CloseForm, PromiseForm, ReadbackForm, ReasonForm, RecipientForm
from tests.html_shape import MarkupShape

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
OURS = Template("{% load bootstrap_fields %}{{ form|bootstrap_fields }}")
STARTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OPEN_MESSAGE = SimpleNamespace(pk=7, taken_at=STARTED, reason='Offerte <b>"dak"</b>')


def _recipient(data=None):
    users, teams = selectors.recipients_all()
    return RecipientForm(data, prefix="recipient", users=users, teams=teams)


def _caller(data=None, open_messages=()):
    return CallerForm(data, prefix="caller", find_open=lambda number: list(open_messages))


FORMS = {  # name: (build, data that fails validation, data that passes)
    "recipient": (_recipient, {"recipient-recipient": "<i>Niemand</i>", "recipient-decision": "helped"},
                  {"recipient-recipient": "Bram", "recipient-decision": "message", "recipient-to_stand_in": "on"}),
    "caller": (lambda data=None: _caller(data, [OPEN_MESSAGE]),
               {"caller-name": " ", "caller-number": "12", "caller-email": "geen"},
               {"caller-name": "Pieter", "caller-number": "06-12345678", "caller-add_to": "7"}),
    "reason": (lambda data=None: ReasonForm(data, prefix="reason"), {"reason-reason": "", "reason-tone": "x"},
               {"reason-reason": "Offerte", "reason-call_type": "question", "reason-tone": "calm"}),
    "promise": (lambda data=None: PromiseForm(data, prefix="promise", team=None, call_type="question",
                                              started_at=STARTED),
                {"promise-between_start": "10:00", "promise-deadline": "morgen"}, {}),
    "readback": (lambda data=None: ReadbackForm(data, prefix="readback"), {}, {"readback-confirmed": "on"}),
    "close": (lambda data=None: CloseForm(data, prefix="close"), {"close-token": "x"},
              {"close-token": "0b6f4c1e-7d0e-4b47-9a55-6f1c7f0bba1e"}),
}


# The promise form checks its deadline against now: the clock stands at the call's start.
@pytest.mark.clock(at=STARTED)
@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize("state", ["empty", "errors", "valid"])
@pytest.mark.parametrize("name", list(FORMS))
def test_each_intake_form_renders_as_crispy_renders_it(colleague, name, state):
    build, wrong, right = FORMS[name]

    def made():
        form = build() if state == "empty" else build(wrong if state == "errors" else right)
        if state != "empty":
            assert form.is_valid() is (state == "valid"), form.errors
        return form

    # Two forms: crispy sets classes on the widgets it renders.
    expected, ours = CRISPY.render(Context({"form": made()})), OURS.render(Context({"form": made()}))
    assert MarkupShape(ours).items == MarkupShape(expected).items


def test_typed_text_is_escaped_and_errors_are_tied_to_their_field(colleague):
    form = _caller({"caller-name": '"><script>x</script>', "caller-number": "06-12345678"}, [OPEN_MESSAGE])
    assert not form.is_valid()  # with an open message, choosing what to do with this call is required
    rendered = OURS.render(Context({"form": form}))
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<b>" not in rendered and "&lt;b&gt;" in rendered  # the open message's reason in the choice
    assert 'id="error_1_id_caller-add_to"' in rendered
    form = _caller({"caller-name": "Pieter", "caller-number": "12"})
    assert not form.is_valid()
    rendered = OURS.render(Context({"form": form}))
    assert 'aria-invalid="true"' in rendered and 'aria-describedby="id_caller-number_error"' in rendered
