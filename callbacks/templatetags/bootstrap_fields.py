"""Bootstrap 5 markup for the small action forms on the message detail page, written in Python.

``{{ form|crispy }}`` renders each field through about eight templates: about 1 ms a field, and the
detail page of an open message shows eleven fields on every load and after every action. This filter
writes the same markup as crispy-bootstrap5 for the widgets those forms use (hidden inputs, text-like
inputs and radio buttons): the same classes, labels with the required asterisk, help texts, and error
messages tied to their field with ``aria-invalid`` and ``aria-describedby`` (tests/test_detail.py
compares the two). A field with another widget falls back to crispy, so it is never rendered wrongly,
only slower. Every value goes through ``fast_escape``.
"""

from django import forms, template
from django.forms.widgets import CheckboxInput, FileInput, Input
from django.utils.safestring import SafeString, mark_safe

from callbacks.markup import fast_escape

register = template.Library()

ASTERISK = '<span class="asteriskField">*</span>'


def _attributes(attrs: dict) -> str:
    """forms.utils.flatatt: True is a bare attribute, False and None are left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{fast_escape(value)}"'
        for name, value in attrs.items() if value is not None and value is not False
    )


@register.filter
def bootstrap_fields(form: forms.BaseForm) -> SafeString:
    parts = [_non_field_errors(form)]
    for field in form:
        widget = field.field.widget
        if isinstance(widget, forms.HiddenInput) and not isinstance(widget, forms.MultipleHiddenInput):
            parts.append(_input(field, widget, css=""))
        elif isinstance(widget, forms.RadioSelect):
            parts.append(_radios(field, widget))
        elif type(widget) is CheckboxInput:
            parts.append(_checkbox(field, widget))
        elif isinstance(widget, Input) and not isinstance(widget, (FileInput, CheckboxInput)):
            parts.append(_text_like(field, widget))
        else:
            from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

            parts.append(as_crispy_field(field))
    return mark_safe("".join(parts))  # nosec B703 B308: every value in it went through fast_escape


def _non_field_errors(form: forms.BaseForm) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = "".join(f"<li>{fast_escape(error)}</li>" for error in errors)
    return f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'


def _attrs(field: forms.BoundField, widget: forms.Widget, css: str) -> dict:
    """The attributes BoundField.as_widget would give (required, aria-*, id), plus crispy's classes."""
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    if css:
        attrs["class"] = " ".join(filter(None, [widget.attrs.get("class", ""), css]))
    return attrs


def _input(field: forms.BoundField, widget: forms.Widget, css: str) -> str:
    context = widget.get_context(field.html_name, field.value(), _attrs(field, widget, css))["widget"]
    value = "" if context["value"] is None else f' value="{fast_escape(context["value"])}"'
    return (f'<input type="{fast_escape(context["type"])}" name="{fast_escape(context["name"])}"{value}'
            f'{_attributes(context["attrs"])}>')


def _label(field: forms.BoundField) -> str:
    return fast_escape(field.label) + (ASTERISK if field.field.required else "")


def _label_class(field: forms.BoundField, extra: str = "") -> str:
    return "form-label" + (" requiredField" if field.field.required else "") + extra


def _errors(field: forms.BoundField) -> str:
    if not field.errors:
        return ""
    auto_id = fast_escape(field.auto_id)
    paragraphs = "".join(f'<p id="error_{number}_{auto_id}"><strong>{fast_escape(error)}</strong></p>'
                         for number, error in enumerate(field.errors, start=1))
    return f'<div id="{auto_id}_error" class="invalid-feedback">{paragraphs}</div>'


def _help(field: forms.BoundField) -> str:
    if not field.help_text:
        return ""
    return f'<div id="{fast_escape(field.auto_id)}_helptext" class="form-text">{fast_escape(field.help_text)}</div>'


def _text_like(field: forms.BoundField, widget: Input) -> str:
    css = f"{type(widget).__name__.lower()} form-control" + (" is-invalid" if field.errors else "")
    return (f'<div id="div_{fast_escape(field.auto_id)}" class="mb-3"><label for="{fast_escape(field.id_for_label)}" '
            f'class="{_label_class(field)}">{_label(field)}</label>{_input(field, widget, css)}'
            f"{_errors(field)}{_help(field)}</div>")


def _checkbox(field: forms.BoundField, widget: CheckboxInput) -> str:
    css = "checkboxinput form-check-input" + (" is-invalid" if field.errors else "")
    return (f'<div class="mb-3"><div id="div_{fast_escape(field.auto_id)}" class="form-check">'
            f'{_input(field, widget, css)}<label for="{fast_escape(field.id_for_label)}" class="form-check-label'
            f'{" requiredField" if field.field.required else ""}">{_label(field)}</label>'
            f"{_errors(field)}{_help(field)}</div></div>")


def _radios(field: forms.BoundField, widget: forms.RadioSelect) -> str:
    attrs = _attrs(field, widget, css="")
    options = [option for _group, group_options, _index in
               widget.get_context(field.html_name, field.value(), attrs)["widget"]["optgroups"]
               for option in group_options]
    css = "form-check-input is-invalid" if field.errors else "form-check-input"
    rendered = []
    for number, option in enumerate(options, start=1):
        option_attrs = {key: value for key, value in option["attrs"].items() if key != "class"}
        # As in crispy, the errors follow the last input, where Bootstrap's .is-invalid ~ rule shows them.
        rendered.append(
            f'<div class="form-check"><input type="{fast_escape(option["type"])}" class="{css}" '
            f'name="{fast_escape(option["name"])}" value="{fast_escape(option["value"])}"{_attributes(option_attrs)}>'
            f'<label for="{fast_escape(option_attrs.get("id", ""))}" class="form-check-label">'
            f"{fast_escape(option['label'])}</label>{_errors(field) if number == len(options) else ''}</div>"
        )
    described = field.aria_describedby
    fieldset = f' aria-describedby="{fast_escape(described)}"' if described else ""
    return (f'<div id="div_{fast_escape(field.auto_id)}" class="mb-3"><fieldset{fieldset}>'
            f'<legend class="{_label_class(field, " fs-6")}">{_label(field)}</legend>'
            f'<div>{"".join(rendered)}</div>{_help(field)}</fieldset></div>')
