"""Typed errors. The engine decides what to do with a record from the error's ``kind``.

* ``transient``       try again later (network, 5xx, 429): bounded number of attempts;
                      a :class:`DependencyError` first goes again after the other documents of
                      its flow in the same run
* ``unknown_outcome`` the request may have reached the remote: look it up before resending
* ``auth``            credentials refused: pause the connection, tell the admin once
* ``permanent``       the remote or the document says no: fix the data, then replay
* ``review``          a human decision or a mapping is missing: the line waits
* ``config``          the connection itself is misconfigured
"""


class ConnectorError(Exception):
    """``retry_at`` (a naive UTC datetime) asks for the next attempt not before that time;
    ``counts_as_attempt=False`` says this attempt only waited for evidence (e.g. a remote
    history that lags) and must not use up one of the document's attempts."""

    kind = "permanent"

    def __init__(
        self,
        message,
        *,
        code=None,
        status=None,
        retry_after=None,
        body=None,
        url=None,
        retry_at=None,
        counts_as_attempt=True,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.url = url
        self.retry_at = retry_at
        self.counts_as_attempt = counts_as_attempt

    @property
    def transient(self):
        return self.kind in ("transient", "unknown_outcome")

    def __str__(self):
        parts = [self.message]
        if self.status:
            parts.append(f"(HTTP {self.status})")
        return " ".join(parts)


class TransientError(ConnectorError):
    kind = "transient"


class RateLimitedError(TransientError):
    """429 that outlasted our retries, or a ``Retry-After`` longer than we are willing to wait."""


class DependencyError(TransientError):
    """The document needs another one that is not processed yet (a credit note read before the
    invoice it credits, a ship notice before its order): no order of a list is assumed, so it
    goes again after the other documents of its flow in the same run (a few rounds), then waits
    like any temporary failure (bounded attempts). ``waits_for`` names what it needs."""

    def __init__(self, message, *, waits_for=None, **kw):
        super().__init__(message, **kw)
        self.waits_for = waits_for


class OutcomeUnknownError(TransientError):
    """A non-idempotent request was sent but no usable answer came back."""

    kind = "unknown_outcome"


class AuthError(ConnectorError):
    kind = "auth"


class PermanentError(ConnectorError):
    kind = "permanent"


class RemoteBusinessError(PermanentError):
    """The remote answered (often HTTP 200) with a business error code."""


class DocumentError(PermanentError):
    """An inbound document is malformed or incomplete."""


class ConfigurationError(ConnectorError):
    kind = "config"


class NeedsReviewError(ConnectorError):
    """A person must decide (ambiguous match, missing mapping); the line waits.

    ``blocking_key`` names what the line waits for (e.g. ``mapping:account:600000``) so
    that creating that mapping or approving that review can release it. ``review`` describes
    the decision to ask for (see ``ml.connector.review._create_for_line``);
    ``after_rollback`` are callables run once the failed attempt has been rolled back, to
    record what must survive it (e.g. an empty mapping for the admin to fill in).
    """

    kind = "review"

    def __init__(self, message, *, blocking_key=None, review=None, after_rollback=(), **kw):
        super().__init__(message, **kw)
        self.blocking_key = blocking_key
        self.review = review
        self.after_rollback = list(after_rollback)


class DocumentSkipped(Exception):
    """Nothing to do with this document (yet): its line is recorded as skipped, with this reason.

    ``record`` optionally names the Odoo record the document is about.
    """

    def __init__(self, message, record=None):
        super().__init__(message)
        self.record = record
