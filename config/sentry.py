"""Error reporting through Sentry, only when SENTRY_DSN is set, and never with caller data.

A caller's name, number and reason may sit in a request's form or query string, in a local variable,
in an exception's text, in a log line or in an SQL breadcrumb's parameters. What leaves the server is
what a developer needs to find the bug: the exception's type, the stack's files, functions and lines,
the request's method and path (ids only), and the breadcrumbs' categories and times.
"""

from urllib.parse import urlsplit, urlunsplit

SCRUBBED = "[scrubbed]"


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _scrub_exception(exception: dict) -> None:
    if exception.get("value"):
        exception["value"] = SCRUBBED
    for frame in (exception.get("stacktrace") or {}).get("frames", []):
        frame.pop("vars", None)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: keep the shape of the failure, drop every value that could be caller data."""
    request = event.get("request") or {}
    event["request"] = {key: request[key] for key in ("method",) if key in request}
    if request.get("url"):
        event["request"]["url"] = _without_query(request["url"])
    for key in ("user", "extra"):
        event.pop(key, None)
    for exception in (event.get("exception") or {}).get("values", []):
        _scrub_exception(exception)
    for thread in (event.get("threads") or {}).get("values", []):
        for frame in (thread.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    if isinstance(event.get("logentry"), dict):
        # The format string is code; its arguments and the formatted line may be a caller's details.
        event["logentry"] = {"message": event["logentry"].get("message", "")}
    if "message" in event and "logentry" not in event:
        event["message"] = SCRUBBED
    crumbs = event.get("breadcrumbs") or {}
    for crumb in crumbs.get("values", []) if isinstance(crumbs, dict) else crumbs:
        crumb.pop("data", None)
        if crumb.get("message"):
            crumb["message"] = SCRUBBED
    return event


def sentry_start(*, dsn: str, environment: str, transport=None) -> None:
    """Called by the settings when SENTRY_DSN is set; `transport` lets a test capture what would be sent."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        # Errors only: no performance traces, which would carry URLs and queries too.
        traces_sample_rate=0,
        transport=transport,
    )
