"""JAGGAER J1P wire conventions, without the ORM.

Everything here follows ``jaggaer-api.md``: the ``returnCode`` envelope (business errors come
as HTTP 200 with a non-zero code, §1.5), paging by a 1-based record index ``start`` (§1.6),
``flt=`` filters (§1.7), per-resource item wrappers, and the splittable GL segments of §1.12.
Paths, wrappers, filters and timestamp formats all come from a :class:`JaggaerConfig`, because
the real purchase-order, supplier and GL paths are only handed over at customer onboarding:
pointing the connector at another tenant layout is a configuration change.

A :class:`JaggaerClient` wraps any ``tools.http.HttpClient`` (timeouts, retries, token), so a
flow between two remote systems (e.g. JD Edwards to JAGGAER) can use it with no Odoo record.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from odoo.addons.ml_connector.tools.errors import (
    DocumentError,
    PermanentError,
    RemoteBusinessError,
)
from odoo.addons.ml_connector.tools.http import parse_json

DEFAULT_TOKEN_PATH = "/auth/realms/J1p-integrations/protocol/openid-connect/token"

# §2 / §2.1 PROPOSED layout (confirmed where the reference says so). ``{id}`` and ``{name}``
# are replaced by the document id or the segment name.
DEFAULT_PATHS = {
    "suppliers_list": "/j1p/api/public/ja/v1/companyprofiles",
    "suppliers_upsert": "/j1p/api/public/ja/v1/companyprofiles",
    "po_list": "/j1p/api/public/jp/v1/purchaseorders",
    "po_detail": "/j1p/api/public/jp/v1/purchaseorders/{id}",
    "po_import": "/j1p/api/public/jp/v1/purchaseorders",
    "invoice_list": "/j1p/api/public/ji/v1/invoices",
    "invoice_detail": "/j1p/api/public/ji/v1/invoices/{id}",
    "invoice_import": "/j1p/api/public/ji/v1/invoices/ocr",  # §1.4 confirmed
    "gl_values": "/j1p/api/public/ji/v1/customfields/{name}/values",
}
# Where the records sit in an answer (dotted path); "" = the answer itself.
DEFAULT_WRAPPERS = {
    "suppliers": "returnCompanyData",
    "supplier_record": "returnCompanyInfo",  # inside each item of the suppliers list (§1.5, S2)
    "purchase_orders": "purchaseOrderList.purchaseOrder",
    "invoices": "jiinvoiceList.jiinvoice",
    "invoice_detail": "",  # §1.4 [C]: {header, lineList} at the top level
    "gl_values": "customFieldValueList.customFieldValue",
}
# Modified-since filters rendered into ``flt=`` (``{since}`` in the resource's format).
DEFAULT_FILTERS = {
    "suppliers": "LASTMODTIME>={since}",
    "purchase_orders": "lastUpdate>={since}",
    "invoices": "lastUpdate>={since}",
}
DEFAULT_STAMP_FORMATS = {"suppliers": "compact", "purchase_orders": "iso_ms", "invoices": "iso_ms"}
# Field of each record holding its modification stamp.
DEFAULT_STAMP_FIELDS = {
    "suppliers": "lastModTime",
    "purchase_orders": "lastUpdate",
    "invoices": "header.lastUpdate",
}
STAMP_FORMATS = [
    ("iso_ms", "ISO 8601 UTC with milliseconds (2024-05-27T09:14:03.118Z)"),
    ("compact", "Compact UTC seconds (20240527091403)"),
    ("date", "Date only (20240527)"),
]

_COMPACT = re.compile(r"^\d{14}$")
_DATE = re.compile(r"^\d{8}$")


@dataclass
class JaggaerConfig:
    """Everything the client needs to know about one tenant's API layout."""

    paths: dict = field(default_factory=lambda: dict(DEFAULT_PATHS))
    wrappers: dict = field(default_factory=lambda: dict(DEFAULT_WRAPPERS))
    filters: dict = field(default_factory=lambda: dict(DEFAULT_FILTERS))
    stamp_formats: dict = field(default_factory=lambda: dict(DEFAULT_STAMP_FORMATS))
    stamp_fields: dict = field(default_factory=lambda: dict(DEFAULT_STAMP_FIELDS))
    base_filters: dict = field(default_factory=dict)  # resource -> flt always applied
    success_codes: tuple = ("0", "1")  # 1 = accepted with a warning (§1.5)
    name: str = "JAGGAER"

    def path(self, key, **values):
        template = self.paths.get(key) or DEFAULT_PATHS[key]
        for placeholder, value in values.items():
            template = template.replace("{" + placeholder + "}", str(value))
        return template

    def modified_filter(self, resource, since):
        """``flt`` clause selecting records of ``resource`` changed at or after ``since`` (UTC)."""
        expression = self.filters.get(resource) or ""
        if not expression or since is None:
            return ""
        return expression.replace("{since}", render_stamp(since, self.stamp_formats.get(resource)))

    def flt(self, resource, since=None, *extra):
        parts = [self.base_filters.get(resource) or "", self.modified_filter(resource, since), *extra]
        return ";".join(part for part in parts if part)


@dataclass
class ListPage:
    records: list
    start: int
    total: int
    warning: str = ""
    server_time: datetime | None = None  # the answer's Date header (JAGGAER's clock), naive UTC


def server_time(response):
    """When the server answered, by its own clock (HTTP ``Date``), naive UTC; None if unknown."""
    try:
        moment = parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None  # RFC 9110 dates are GMT; one without a zone cannot be compared
    return moment.astimezone(UTC).replace(tzinfo=None)


def dig(record, dotted):
    """``dig(invoice, "header.supplier.id")``; None when a step is missing. "" = the record."""
    value = record
    for part in (dotted or "").split("."):
        if not part:
            continue
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def render_stamp(moment, fmt):
    """A UTC datetime (naive = UTC) in the filter format of a resource."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if fmt == "compact":
        return moment.strftime("%Y%m%d%H%M%S")
    if fmt == "date":
        return moment.strftime("%Y%m%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_stamp(value):
    """A JAGGAER timestamp (ISO 8601, ``YYYYMMDDHHMMSS`` or ``YYYYMMDD``) as naive UTC, or None."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if _COMPACT.match(text):
            return datetime.strptime(text, "%Y%m%d%H%M%S")
        if _DATE.match(text):
            return datetime.strptime(text, "%Y%m%d")
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def iso_ms(moment):
    """Naive UTC datetime as J1P writes it: ``2024-05-27T09:14:03.118Z``."""
    return render_stamp(moment, "iso_ms")


def splittable(values):
    """§1.12 ``splittableFieldSetGroupList`` with one split holding ``{segment: value}``."""
    entries = [{"internalName": name, "value": value} for name, value in values.items() if value]
    if not entries:
        return {"splittableFieldSetGroup": []}
    return {
        "splittableFieldSetGroup": [
            {
                "splittableFieldIndexSet": [
                    {
                        "context": "Line",
                        "splittableFieldIndexList": {
                            "splittableFieldIndex": [{"customFieldValueList": {"customFieldValue": entries}}]
                        },
                    }
                ]
            }
        ]
    }


def segment_values(group_list):
    """``{segment: [values]}`` of a §1.12 structure, in order; DocumentError when malformed.

    Several values for one segment mean the line is split across GL codings.
    """
    result = {}
    if group_list in (None, "", {}):
        return result
    try:
        for group in group_list.get("splittableFieldSetGroup") or []:
            for index_set in group.get("splittableFieldIndexSet") or []:
                index_list = index_set.get("splittableFieldIndexList") or {}
                for index in index_list.get("splittableFieldIndex") or []:
                    values = (index.get("customFieldValueList") or {}).get("customFieldValue") or []
                    for entry in values:
                        if isinstance(entry, dict) and entry.get("value") not in (None, ""):
                            result.setdefault(str(entry.get("internalName")), []).append(str(entry["value"]))
    except AttributeError:
        raise DocumentError("The GL coding (splittableFieldSetGroupList) is malformed.") from None
    return result


class JaggaerClient:
    """J1P calls with envelope, ``returnCode`` and paging handled; typed errors.

    ``http`` is a configured ``HttpClient`` (base URL, auth, retries); ``config`` a
    :class:`JaggaerConfig`.
    """

    def __init__(self, http, config):
        self.http = http
        self.config = config

    # -- envelope --------------------------------------------------------------------
    def check(self, body, what):
        """Return the warning of an accepted answer ("" if none); raise on a refusal (§1.5)."""
        if not isinstance(body, dict):
            raise DocumentError(
                f"{self.config.name} answered {what} with something that is not a JSON object."
            )
        code = body.get("returnCode")
        code = "0" if code in (None, "") else str(code).strip()
        message = str(body.get("returnMessage") or "").strip()
        if code not in self.config.success_codes:
            raise RemoteBusinessError(
                f"{self.config.name} refused {what}: {message or 'no message'} (returnCode {code})",
                code=code,
                body=body,
            )
        if code != "0":
            return message or f"returnCode {code}"
        return ""

    def records(self, body, wrapper_key):
        """The records of an answer under the configured wrapper (a list, possibly empty)."""
        wrapper = self.config.wrappers.get(wrapper_key, DEFAULT_WRAPPERS.get(wrapper_key, ""))
        found = dig(body, wrapper)
        if found is None:
            return []
        return found if isinstance(found, list) else [found]

    # -- calls -----------------------------------------------------------------------
    def get(self, path_key, what, params=None, **values):
        response = self.http.request("GET", self.config.path(path_key, **values), params=params)
        body = parse_json(response)
        return body, self.check(body, what)

    def post(self, path_key, payload, what, **values):
        response = self.http.request("POST", self.config.path(path_key, **values), json=payload)
        # an unreadable answer to a POST is "outcome unknown" (parse_json): looked up before resending
        body = parse_json(response)
        return body, self.check(body, what)

    def pages(self, path_key, wrapper_key, what, flt="", params=None, **values):
        """Yield a :class:`ListPage` per call, ``start`` = 1, 1 + returned, … (§1.6).

        Stops when a page is empty or ``start - 1`` reaches ``totRecords``.
        """
        start = 1
        while True:
            query = dict(params or {}, start=start)
            if flt:
                query["flt"] = flt
            response = self.http.request("GET", self.config.path(path_key, **values), params=query)
            body = parse_json(response)
            warning = self.check(body, what)
            records = self.records(body, wrapper_key)
            total = _int(body.get("totRecords"), len(records))
            returned = _int(body.get("returnedRecords"), len(records))
            if returned and not records:
                wrapper = self.config.wrappers.get(wrapper_key)
                raise PermanentError(
                    f"{self.config.name} returned {returned} record(s) for {what} but none under "
                    f"'{wrapper}': check the item wrapper of this resource on the connection."
                )
            yield ListPage(records, start, total, warning, server_time(response))
            if not records:
                return
            start += returned or len(records)
            if start - 1 >= total:
                return

    def find(self, path_key, wrapper_key, what, flt, **values):
        """Every record matching ``flt`` (all pages)."""
        found = []
        for page in self.pages(path_key, wrapper_key, what, flt=flt, **values):
            found.extend(page.records)
        return found


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
