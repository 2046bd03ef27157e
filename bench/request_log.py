"""gunicorn settings for `bench/pages.py --request-log DIR`: the project's gunicorn.conf.py, plus one line per
request in DIR/requests-<pid>.log saying where its time went.

A benchmark's p95 is decided by its two or three slowest requests, and the client only sees their wall time.
Each line gives, as the worker saw it: the wall and CPU time, the queries and their time, the garbage
collections and their time, and the gets and misses of the "fragments" cache. A slow request with many misses
drew something anew; one with little CPU and much wall time waited (the database, or the machine's other
processes); one with a full collection paused.

Not for production: the fragment counts come from wrapping the cache's methods in each worker.
"""

import gc
import os
import time
from pathlib import Path

exec((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text())  # noqa: S102 - our own file

_project_post_worker_init = post_worker_init  # noqa: F821 - defined by the file executed above
_project_post_request = post_request  # noqa: F821
LOG_DIR = Path(os.environ.get("TERUGBEL_REQUEST_LOG_DIR", "."))
_request: dict = {}


def _count(name: str, amount: float = 1) -> None:
    _request[name] = _request.get(name, 0) + amount


def _on_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _request["gc_started"] = time.perf_counter()
    elif "gc_started" in _request:
        _count("gc_ms", (time.perf_counter() - _request.pop("gc_started")) * 1000)
        _count(f"gc{info['generation']}")


def _timed_query(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        _count("queries")
        _count("query_ms", (time.perf_counter() - started) * 1000)


def _counting_fragments() -> None:
    from django.core.cache import caches

    fragments = caches["fragments"]
    get, set_ = fragments.get, fragments.set

    def counted_get(key, *args, **kwargs):
        value = get(key, *args, **kwargs)
        _count("fragment_gets")
        if value is None:
            _count("fragment_misses")
        return value

    def counted_set(key, *args, **kwargs):
        _count("fragment_sets")
        return set_(key, *args, **kwargs)

    fragments.get, fragments.set = counted_get, counted_set
    if "fragments_shared" in caches:  # FRAGMENT_CACHE_URL: what the local misses found in the shared copy
        shared = caches["fragments_shared"]
        shared_get = shared.get

        def counted_shared_get(key, *args, **kwargs):
            value = shared_get(key, *args, **kwargs)
            _count("shared_gets")
            _count("shared_hits", value is not None)
            return value

        shared.get = counted_shared_get


def post_worker_init(worker) -> None:
    _project_post_worker_init(worker)
    from django.db import connection

    gc.callbacks.append(_on_collection)
    # A worker has one connection; wrapping it once covers every request after.
    connection.execute_wrappers.append(_timed_query)
    _counting_fragments()
    _request["log"] = (LOG_DIR / f"requests-{os.getpid()}.log").open("a", buffering=1)


def pre_request(worker, req) -> None:
    log = _request.get("log")
    _request.clear()
    _request.update(log=log, started=time.perf_counter(), cpu_started=time.process_time())


def post_request(worker, req, environ, resp) -> None:
    wall = (time.perf_counter() - _request["started"]) * 1000
    cpu = (time.process_time() - _request["cpu_started"]) * 1000
    counts = " ".join(
        f"{name}={_request.get(name, 0):.1f}" if name.endswith("_ms") else f"{name}={_request.get(name, 0)}"
        for name in (
            *("queries", "query_ms", "gc_ms", "gc2"),
            *("fragment_gets", "fragment_misses", "fragment_sets", "shared_gets", "shared_hits"),
        )
    )
    _request["log"].write(
        f"{time.time():.3f} worker={os.getpid()} {req.method} {req.path} {resp.status_code} "
        f"wall={wall:.1f} cpu={cpu:.1f} {counts}\n"
    )
    _project_post_request(worker, req, environ, resp)
