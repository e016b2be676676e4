"""The SPS Transaction API v5: a file mailbox over HTTPS (reference §3).

Folders are listed with opaque cursors (never built by us: we follow ``paging.next``), files
are downloaded as raw bytes, deleted by us once stored, and uploaded with
``Content-Type: application/octet-stream`` under a name of our choosing (same name =
overwrite). The history lists file events with offset paging and lags about five minutes.
Every call goes through the connection's :class:`HttpClient` (token, retries, rate limit);
statuses decide, bodies are only kept for the record (§3.8).
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from odoo.addons.ml_connector.tools.errors import ConfigurationError, PermanentError
from odoo.addons.ml_connector.tools.http import parse_json

DATA = "/transactions/v5/data/"
HISTORY = "/transactions/v5/history"


class FolderNotFound(ConfigurationError):
    """A folder SPS does not have (yet): a new account is not provisioned (§6.2)."""


def data_path(path):
    """URL path of a file or folder; names are case-sensitive plain segments (§3.2)."""
    return DATA + quote(path.lstrip("/"))


class TransactionApi:
    def __init__(self, http, page_size=200):
        self.http = http
        self.page_size = max(1, min(int(page_size or 200), 1000))

    # -- listing -------------------------------------------------------------------------------
    def list_files(self, folder):
        """Yield ``(paths, more)`` page by page: the files (not sub-folders) of ``folder``.

        The next page comes from ``paging.next`` (an object with a URL and a cursor, or the URL
        alone): its URL when it points to our API host (a bearer token is never sent elsewhere),
        else its cursor on our folder URL. Entries are named by their path from the root, or by
        their name alone (then in ``folder``).
        """
        url, params = data_path(folder), {"limit": self.page_size}
        seen_cursors = set()
        while True:
            response = self.http.request("GET", url, params=params, expect=(200, 404))
            if response.status_code == 404:
                raise FolderNotFound(
                    f"SPS has no folder {folder}: the Transaction API account is not provisioned for it yet "
                    "(SPS implementation sets up the routing), or the folder setting is wrong.",
                    status=404,
                    body=response.text[:500],
                )
            data = parse_json(response)
            results = data.get("results") if isinstance(data, dict) else None
            if not isinstance(results, list):
                raise PermanentError(
                    f"Unexpected listing of {folder}: no 'results' array", body=response.text[:500]
                )
            paths = [
                self._entry_path(folder, str(entry["path"]))
                for entry in results
                if isinstance(entry, dict) and entry.get("path") and entry.get("type", "file") == "file"
            ]
            following = ((data.get("paging") or {}).get("next")) or {}
            if isinstance(following, str):
                following = {"url": following}
            cursor = following.get("cursor") if isinstance(following, dict) else None
            next_url = following.get("url") if isinstance(following, dict) else None
            more = bool(cursor or next_url)
            yield paths, more
            if not more:
                return
            marker = cursor or next_url
            if marker in seen_cursors:  # a remote that repeats itself must not keep us here forever
                raise PermanentError(f"SPS returned the same listing cursor twice for {folder}")
            seen_cursors.add(marker)
            if next_url and self._same_origin(next_url):
                url, params = next_url, None
            elif cursor:
                url, params = data_path(folder), {"limit": self.page_size, "cursor": cursor}
            else:
                raise PermanentError(f"SPS listing of {folder} points to another host: {next_url}")

    @staticmethod
    def _entry_path(folder, path):
        path = path.lstrip("/")
        return path if "/" in path or not folder else folder + path

    def is_empty_root(self):
        """True when the account lists nothing at all: a production account SPS has not routed yet."""
        response = self.http.request("GET", DATA, params={"limit": 1}, expect=(200, 404))
        if response.status_code == 404:
            return True
        data = parse_json(response)
        return not (isinstance(data, dict) and data.get("results"))

    def _same_origin(self, url):
        ours, theirs = urlsplit(self.http.base_url), urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)

    # -- files ---------------------------------------------------------------------------------
    def download(self, path):
        """Raw bytes of a file, or None if it is gone (deleted meanwhile)."""
        response = self.http.request(
            "GET", data_path(path), expect=(200, 404), headers={"Accept": "application/octet-stream, */*"}
        )
        return response.content if response.status_code == 200 else None

    def delete(self, path):
        """Delete a file; True if deleted now, False if it was already gone."""
        response = self.http.request("DELETE", data_path(path), expect=(200, 202, 204, 404))
        return response.status_code != 404

    def upload(self, path, data):
        """Store ``data`` at ``path`` (create or overwrite, §3.3); return SPS's answer (``{path, url}``)."""
        response = self.http.request(
            "POST",
            data_path(path),
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            expect=(200, 201),
        )
        try:
            return parse_json(response)
        except Exception:
            # The file is stored: an unreadable answer does not make the upload uncertain.
            return {"status": response.status_code, "body": response.text[:500]}

    # -- history -------------------------------------------------------------------------------
    def history(self, after, limit=100, max_pages=50):
        """Yield history records with an event after ``after`` (UTC datetime), oldest first.

        ``after``/``until`` are plain ``YYYY-MM-DDTHH:mm:ss`` (§3.7); pages follow ``next``.
        """
        params = {"limit": limit, "after": after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")}
        url = HISTORY
        for _page in range(max_pages):
            data = self.http.get_json(url, params=params)
            yield from data.get("results") or []
            following = (data.get("paging") or {}).get("next") or {}
            next_url = following.get("url") if isinstance(following, dict) else None
            if not next_url:
                return
            if not self._same_origin(next_url):
                raise PermanentError(f"SPS history points to another host: {next_url}")
            url, params = next_url, None

    def was_uploaded(self, path, since):
        """True if the history shows an upload of ``path`` after ``since``."""
        wanted = path.lstrip("/")
        for record in self.history(since):
            if str(record.get("path") or "").lstrip("/") == wanted and any(
                str(event.get("status") or "").lower() == "uploaded"
                for event in record.get("status_log") or []
            ):
                return True
        return False


def utcnow():
    return datetime.now(UTC)
