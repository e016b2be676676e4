"""Reading a batch's documents from a remote in background threads while the engine works.

A reader that fetches more of each document while processing it (an invoice's lines from a
detail endpoint) can start those requests before the documents' turn: the answers arrive while
the ORM creates the previous batch's records. Only HTTP runs in the threads (no cursor, no
ORM, no translation); each request's answer or error is kept for its own document, which the
reader then handles in its turn exactly as if it had asked itself.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

READ_AHEAD_WORKERS = 4  # requests in flight at once for one flow: a remote serves a few in parallel


class ReadAheadClosed(Exception):
    """The flow stopped before a background request's turn: it was not finished."""


class ReadAhead:
    """Background requests of one flow run, keyed by the audit line they are for (bounded).

    ``submit(key, func)`` runs ``func()`` in a worker thread; ``take(key)`` hands the future
    over once (None when nothing was read ahead for that key); ``retain(keys)`` drops what no
    longer concerns the batch; ``close()`` cancels what has not started and interrupts the
    waits (retry back-off, rate limit) of what has, through :meth:`sleep`.
    """

    def __init__(self, workers=READ_AHEAD_WORKERS):
        self.workers = workers
        self._executor = None
        self._futures = {}
        self._local = threading.local()
        self._closed = threading.Event()
        self._owned = []  # per-thread objects, closed with this
        self._owned_lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def has(self, key):
        return key in self._futures

    def submit(self, key, func):
        if self._closed.is_set() or key in self._futures:
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="ml_connector.read_ahead")
        self._futures[key] = self._executor.submit(func)

    def take(self, key):
        return self._futures.pop(key, None)

    def retain(self, keys):
        keys = set(keys)
        for key in [key for key in self._futures if key not in keys]:
            self._futures.pop(key).cancel()

    def sleep(self, seconds):
        """``time.sleep`` for the worker threads' clients: ends early, raising, once closed."""
        if self._closed.wait(seconds):
            raise ReadAheadClosed("the flow stopped")

    def local(self, name, factory):
        """One ``factory()`` per worker thread (e.g. an HTTP session, not shared across threads)."""
        value = getattr(self._local, name, None)
        if value is None:
            value = factory()
            setattr(self._local, name, value)
            with self._owned_lock:
                self._owned.append(value)
        return value

    def close(self):
        self._closed.set()
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        for value in self._owned:
            if hasattr(value, "close"):
                value.close()
        self._owned.clear()
