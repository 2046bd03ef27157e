"""`{{ number|phone_display }}` and `{{ number|tel_href }}`: a caller's number as it is dialled here.

Dutch numbers in the national format, others in the international one, links in E.164
(callbacks/domain/phone.py says why)."""

from django import template

from callbacks.domain import phone

register = template.Library()


@register.filter
def phone_display(number: object) -> str:
    return phone.display(number)


@register.filter
def tel_href(number: object) -> str:
    return phone.tel_uri(number)
