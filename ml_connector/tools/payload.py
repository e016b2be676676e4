"""Documents as the connector stores them: a stable hash, and the text kept on an audit line."""

import hashlib
import json

from .redact import SECRET_KEY_PATTERN, dumps_redacted, redact_text
from .text import storable


def jsonable(payload):
    """Canonical documents (``tools.documents``) as plain data; anything else unchanged."""
    return payload.to_dict() if hasattr(payload, "to_dict") else payload


def content_hash(payload) -> str:
    """Stable hash of a document: canonical JSON for structures, raw bytes otherwise."""
    payload = jsonable(payload)
    if isinstance(payload, bytes):
        data = payload
    elif isinstance(payload, str):
        data = payload.encode("utf-8", "surrogatepass")
    else:
        # surrogatepass: a document may hold an unpaired surrogate ("\ud800"); its hash must not fail
        data = json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def _has_secret_keys(value):
    if isinstance(value, dict):
        return any(
            (isinstance(k, str) and SECRET_KEY_PATTERN.search(k)) or _has_secret_keys(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_secret_keys(v) for v in value)
    return False


def payload_text(payload, secrets=()):
    """Text stored on an audit line: the document as received or sent, minus secrets.

    Raw text is kept byte for byte when it holds nothing secret (so that a replay works
    on exactly what came in); structures are stored as indented JSON. What the database cannot
    store (NUL, unpaired surrogates) is kept as its JSON escape.
    """
    payload = jsonable(payload)
    if payload is None or payload is False:
        return False
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    try:
        if isinstance(payload, str):
            try:
                parsed = json.loads(payload.lstrip("\ufeff"))
            except ValueError:
                return storable(redact_text(payload, secrets))
            if _has_secret_keys(parsed):
                return storable(dumps_redacted(parsed, secrets))
            return storable(redact_text(payload, secrets))
        text = json.dumps(payload, indent=1, ensure_ascii=False, default=str)
        # a key named like a secret shows in the text: without a match there is none to walk for
        if SECRET_KEY_PATTERN.search(text) and _has_secret_keys(payload):
            return storable(dumps_redacted(payload, secrets))
        return storable(redact_text(text, secrets))
    except RecursionError:
        # nested deeper than Python walks: kept as the text it came as (no secret can hide in it
        # that redact_text would not find)
        text = payload if isinstance(payload, str) else repr(payload)
        return storable(redact_text(text, secrets))
