"""Polling with a deadline: the one way the suite waits (never a fixed sleep for readiness)."""

import time


def poll(timeout, fn, interval=0.2):
    """Call fn until it returns a truthy value or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fn()
        except Exception:  # noqa: BLE001 - a failing probe is "not yet"
            value = None
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
