"""Dry runs: a document goes through its reader and writer as for real, but nothing that would
change the target is sent. Reads (GET) still reach the target, so that the writer decides as it
would; the first request that would change something is captured instead, and stops the run."""

from .http import parse_json

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


class DryRunStop(Exception):
    """Raised in place of a request that would change the target."""


class DryRun:
    """What a dry run captured: the requests that would have changed the target."""

    def __init__(self):
        self.requests = []
        self.notes = []  # what writers said the held-back request means (see writer._dry_run_note)

    def wrap(self, client):
        return DryRunClient(client, self)


class DryRunClient:
    """An HttpClient that lets reads through and captures the first write."""

    def __init__(self, client, dry_run):
        self._client = client
        self._dry_run = dry_run

    def __getattr__(self, name):
        return getattr(self._client, name)

    def request(self, method, path, **kw):
        if method.upper() not in MUTATING:
            return self._client.request(method, path, **kw)
        body = kw.get("json")
        if body is None and kw.get("data") is not None:
            data = kw["data"]
            body = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        self._dry_run.requests.append({"method": method.upper(), "url": self._client.url(path), "body": body})
        raise DryRunStop(f"{method.upper()} {path}")

    def get_json(self, path, **kw):
        return parse_json(self.request("GET", path, **kw))

    def post_json(self, path, payload, **kw):
        return self.request("POST", path, json=payload, **kw)
