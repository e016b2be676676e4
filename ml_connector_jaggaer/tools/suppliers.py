"""Suppliers in one shape for both sides, so that the two supplier flows can compare them.

A JAGGAER company profile (``companyInfo`` / ``returnCompanyInfo``, §1.11) and an Odoo vendor
are both reduced to the same flat dict of strings (:data:`FIELDS`). Each supplier binding
remembers that dict for both sides as of the last synchronisation; a flow then sends only
what changed on its own side since, which is how an echo (our own write coming back with a
new modification time) is recognised and ignored.
"""

FIELDS = (
    "name", "number", "duns", "vat", "email", "phone", "website",
    "street", "zip", "city", "state", "country", "status",
)  # fmt: skip
# canonical field -> companyInfo key (§1.11, S2 CompanyInfo)
REMOTE_KEYS = {
    "name": "companyName",
    "number": "extCode",
    "duns": "extUniqueCode",
    "vat": "fiscalCode",
    "email": "bizEmail",
    "phone": "bizPhone",
    "website": "webSite",
    "street": "address",
    "zip": "zip",
    "city": "city",
    "state": "province",
    "country": "isoCountry",
    "status": "status",
}
# Written into Odoo by the JAGGAER -> Odoo flow. ``status`` only travels to JAGGAER: an
# inactive JAGGAER supplier does not archive an Odoo vendor that may still have open bills.
ODOO_WRITABLE = tuple(f for f in FIELDS if f != "status")


def clean(value):
    if value in (None, False):
        return ""
    return " ".join(str(value).split())


def remote_values(info):
    """Canonical values of a JAGGAER company profile."""
    values = {field: clean(info.get(key)) for field, key in REMOTE_KEYS.items()}
    values["duns"] = clean(info.get("extUniqueCode") or info.get("dAndBCode"))
    values["country"] = values["country"].upper()
    values["status"] = values["status"].upper()
    return values


def company_info(values):
    """``companyInfo`` for an upsert from canonical ``values`` (only the keys given)."""
    info = {REMOTE_KEYS[field]: value for field, value in values.items() if field in REMOTE_KEYS}
    if "duns" in values:
        info["dAndBCode"] = values["duns"]  # S2 looks DUNS up in extUniqueCode; both carry it
    info["type"] = "SELLER"
    return info


def push_changes(odoo_now, odoo_synced, remote_known):
    """Fields Odoo should send: changed in Odoo since the last sync, or filling a gap in JAGGAER.

    ``odoo_synced`` is Odoo's side as last synchronised ({} when never pushed: then every
    value Odoo has counts, which is how Odoo wins when a link is first made);
    ``remote_known`` is JAGGAER's side as last read. Values JAGGAER already has are left out.
    """
    changes = {}
    for field in FIELDS:
        mine, theirs = odoo_now.get(field, ""), remote_known.get(field, "")
        if mine == theirs:
            continue
        if mine != odoo_synced.get(field, "") or (mine and not theirs):
            changes[field] = mine
    return changes
