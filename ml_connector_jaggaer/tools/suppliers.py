"""JAGGAER company profiles (``companyInfo`` / ``returnCompanyInfo``, §1.11) and the canonical
supplier values every end is compared in (``tools.documents.SUPPLIER_FIELDS``)."""

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
