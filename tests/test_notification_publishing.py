"""A save answers first; the notification ids reach the broker once the response has been sent."""

from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from callbacks.middleware import PublishAfterResponseMiddleware
from callbacks.models import Notification
from callbacks.services import notifications

pytestmark = pytest.mark.django_db(transaction=True)


def _queue_for(user) -> list[int]:
    return [row.pk for row in notifications.notification_queue(message=None, recipients=[user], kind="digest")]


def test_a_request_publishes_its_notifications_only_when_the_response_is_closed(colleague):
    queued: list[int] = []

    def view(request):
        queued.extend(_queue_for(colleague))  # autocommit: the on_commit hook runs at once
        return HttpResponse("saved")

    with mock.patch.object(notifications, "_publish") as publish:
        response = PublishAfterResponseMiddleware(view)(RequestFactory().post("/callbacks/new/"))
        assert response.content == b"saved" and len(queued) == 2
        publish.assert_not_called()
        response.close()  # what the WSGI server does once the body is out; fires request_finished
        publish.assert_called_once_with(queued)
        response.close()
        publish.assert_called_once()


def test_outside_a_request_the_ids_are_published_at_commit(colleague):
    with mock.patch.object(notifications, "_publish") as publish:
        queued = _queue_for(colleague)
    publish.assert_called_once_with(queued)


def test_ids_left_by_a_request_that_was_never_closed_go_out_with_the_next_request(colleague):
    with mock.patch.object(notifications, "_publish") as publish:
        PublishAfterResponseMiddleware(lambda request: HttpResponse(_queue_for(colleague)))(RequestFactory().get("/"))
        publish.assert_not_called()
        PublishAfterResponseMiddleware(lambda request: HttpResponse())(RequestFactory().get("/")).close()
    publish.assert_called_once()
    assert sorted(publish.call_args.args[0]) == sorted(Notification.objects.values_list("pk", flat=True))


def test_after_a_failed_publish_the_broker_is_left_alone_for_a_while(colleague, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(notifications, "monotonic", lambda: clock[0])
    with mock.patch("callbacks.tasks.notification_deliver.delay", side_effect=OSError("broker hangs")) as delay:
        _queue_for(colleague)
        assert delay.call_count == 1  # stops at the first failure
        clock[0] += notifications.BROKER_REST_SECONDS - 1
        _queue_for(colleague)
        assert delay.call_count == 1  # resting: the rows wait for the sweep, nobody waits for Redis
        clock[0] += 1
        delay.side_effect = None
        _queue_for(colleague)
        assert delay.call_count == 3
    assert Notification.objects.count() == 6
