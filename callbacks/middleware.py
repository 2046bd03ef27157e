from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from callbacks.services import notifications


class PublishAfterResponseMiddleware:
    """Notifications saved during a request reach the broker after the response has been sent.

    The save answers without waiting for Redis (a round trip per notification, seconds when Redis
    hangs). The ids go out when the server closes the response (request_finished, connected in
    callbacks/apps.py); a process that dies in between leaves the rows to the delivery sweep.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        notifications.publishing_after_response_begin()
        return self.get_response(request)
