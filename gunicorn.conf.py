"""gunicorn's settings beyond the command line (Procfile, Dockerfile); gunicorn reads this file from the
working directory by itself."""

import gc


def post_worker_init(worker) -> None:
    """Move everything the worker has loaded (Django, the apps, their modules) out of the garbage collector's
    sight: those objects live as long as the worker, and a full collection that walks them all pauses a
    request for 100 ms and more. The collector still handles everything made from here on."""
    gc.freeze()


# By then a worker has met the pages and loaded what Django loads on first use (templates, URL patterns,
# translations, cache clients), which lives as long as the worker too.
FREEZE_AGAIN_AFTER_REQUESTS = 50


def post_request(worker, req, environ, resp) -> None:
    """Freeze once more after the worker's first requests: without it, what they loaded was walked by every
    full collection (23-40 ms each, eight in a run of bench/pages.py; with it, no collection over 5 ms in
    the next run). Anything that is garbage at that moment stays frozen with it: a few thousand objects, once."""
    if worker.nr == FREEZE_AGAIN_AFTER_REQUESTS:
        gc.freeze()
