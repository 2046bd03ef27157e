"""Waiting for something that happens in another thread or process (a worker, a server)."""

import time


def wait_until(condition, seconds: float, what: str = "the condition") -> float:
    """Poll every 0.1 s until ``condition()`` holds; the seconds it took, or AssertionError after ``seconds``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not done within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started
