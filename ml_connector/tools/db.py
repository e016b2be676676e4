"""What a database error means for the document or batch that raised it, and the retry of a batch
that PostgreSQL cancelled for a concurrent update."""

import logging
import random
import time

from psycopg2 import OperationalError, errorcodes

from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_ERRORS_TO_RETRY

_logger = logging.getLogger(__name__)


def is_concurrency_error(exc):
    """A serialisation failure or deadlock: the transaction is unusable, the work is redone."""
    return isinstance(exc, OperationalError) and exc.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY


def database_error_kind(exc):
    """What a database error raised while processing one document means.

    ``concurrent``: a serialisation failure or deadlock, the transaction is unusable and the
    batch is redone; ``unique``: a unique key is taken, maybe by a concurrent insert, worth
    another attempt; ``refused``: the document's own data is refused (an index row too large,
    a check or not-null constraint) and would fail the same way every time.
    """
    if is_concurrency_error(exc):
        return "concurrent"
    if exc.pgcode == errorcodes.UNIQUE_VIOLATION:
        return "unique"
    return "refused"


def retry_on_conflict(env, func, what):
    """Call ``func`` again when another transaction changed the same rows meanwhile.

    Two flows may update one purchase order at the same time, and Odoo's own crons touch the
    same records: PostgreSQL then cancels one transaction. Like Odoo's RPC layer, roll back
    and try again after a random, growing wait (5 tries); other errors propagate.
    """
    for tryno in range(1, MAX_TRIES_ON_CONCURRENCY_FAILURE + 1):
        try:
            return func()
        except OperationalError as exc:
            if not is_concurrency_error(exc) or tryno == MAX_TRIES_ON_CONCURRENCY_FAILURE:
                raise
            env.cr.rollback()
            env.transaction.reset()
            wait = random.uniform(0.0, 2**tryno)
            _logger.info("%s: %s, tried again in %.2f s", what, errorcodes.lookup(exc.pgcode), wait)
            time.sleep(wait)
    raise RuntimeError("unreachable")


TRANSACTION_CACHES = ("ml_connector", "transaction_caches")  # key in cr.cache


def transaction_cache(cr, name):
    """Dict ``name`` of this transaction's repeatable reads (the same vendor, binding or mapping
    looked up by every document of a batch). ``cr.cache`` outlives commits and rollbacks: these
    dicts are dropped at either, and by the engine before each batch (a test cursor runs no
    post-commit hooks), so that no batch reads what another transaction changed meanwhile."""
    caches = cr.cache.get(TRANSACTION_CACHES)
    if caches is None:
        caches = cr.cache[TRANSACTION_CACHES] = {}
        cr.postcommit.add(lambda: drop_transaction_caches(cr))
        cr.postrollback.add(lambda: drop_transaction_caches(cr))
    return caches.setdefault(name, {})


def drop_transaction_caches(cr):
    cr.cache.pop(TRANSACTION_CACHES, None)
