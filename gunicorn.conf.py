"""gunicorn's settings beyond the command line (Procfile, Dockerfile); gunicorn reads this file from the
working directory by itself."""

import gc


def post_worker_init(worker) -> None:
    """Move everything the worker has loaded (Django, the apps, their modules) out of the garbage collector's
    sight: those objects live as long as the worker, and a full collection that walks them all pauses a
    request for 100 ms and more. The collector still handles everything made from here on."""
    gc.freeze()
