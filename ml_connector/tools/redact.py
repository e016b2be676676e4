"""Remove secrets from anything that is logged or stored on an audit line."""

import json
import re

REDACTED = "***"
SECRET_KEY_PATTERN = re.compile(
    r"(secret|password|passwd|token|authorization|api[_-]?key|sharedsecret|credential)", re.IGNORECASE
)
# "Bearer abc.def", "access_token=..." inside free text
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
_KV = re.compile(r"(?i)\b(client_secret|access_token|password|refresh_token)=([^&\s\"']+)")


def redact(value, extra_values=()):
    """Return a copy of ``value`` (dict/list/str) with secret values replaced.

    Keys that look like secrets are blanked whatever their value; ``extra_values`` are
    literal secrets (e.g. the connection's current client secret) blanked wherever they
    appear in text.
    """
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if isinstance(k, str) and SECRET_KEY_PATTERN.search(k) and v
                else redact(v, extra_values)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, extra_values) for v in value]
    if isinstance(value, str):
        return redact_text(value, extra_values)
    return value


def redact_text(text, extra_values=()):
    if not text:
        return text
    # the patterns are tried only on text that can hold them: most payloads hold neither
    lowered = text.lower()
    if "bearer" in lowered:
        text = _BEARER.sub(r"\1 " + REDACTED, text)
    if "=" in text:
        text = _KV.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    for secret in extra_values:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def dumps_redacted(payload, extra_values=()):
    """Serialise a payload for storage: JSON documents are redacted key by key."""
    if payload is None:
        return False
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    if isinstance(payload, str):
        try:
            parsed = json.loads(payload)
        except ValueError:
            return redact_text(payload, extra_values)
        return json.dumps(redact(parsed, extra_values), indent=1, ensure_ascii=False)
    return json.dumps(redact(payload, extra_values), indent=1, ensure_ascii=False, default=str)
