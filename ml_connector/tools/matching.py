"""Normalisation of the keys partners and products are matched on, and match results.

Every key is normalised the same way when stored on Odoo records (stored computed fields)
and when read from a remote document, so that exact rungs are plain equality lookups.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .errors import NeedsReviewError

# Legal-form words that say nothing about who a company is ("Acme Inc." == "ACME, Inc").
LEGAL_SUFFIXES = {
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "co", "corp", "corporation", "company",
    "plc", "gmbh", "ag", "kg", "ohg", "ug", "mbh", "sa", "sas", "sarl", "sasu", "eurl", "bv", "nv", "vof",
    "srl", "spa", "sl", "slu", "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pte", "kk", "bhd", "sdn",
    "the", "and",
}  # fmt: skip
# Mail domains shared by unrelated people: never evidence that two parties are the same company.
PUBLIC_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
    "aol.com", "icloud.com", "me.com", "gmx.de", "gmx.net", "web.de", "proton.me", "protonmail.com",
    "orange.fr", "free.fr", "laposte.net", "yandex.ru", "mail.ru", "qq.com", "163.com",
}  # fmt: skip
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def name_key(name):
    """'ACME Lab Equipment, Inc.' -> 'acme lab equipment'."""
    if not name:
        return ""
    words = _NON_ALNUM.sub(" ", _ascii(str(name)).casefold()).split()
    # "L.L.C." became "l l c": glue runs of single letters back before dropping suffixes
    glued, run = [], ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            glued.append(run)
            run = ""
        glued.append(word)
    if run:
        glued.append(run)
    kept = [w for w in glued if w not in LEGAL_SUFFIXES]
    return " ".join(kept or glued)


def alnum_key(value):
    """Identifiers without spaces, dots or dashes, upper case: 'be 0477.472.701' -> 'BE0477472701'."""
    if not value:
        return ""
    return _NON_ALNUM.sub("", _ascii(str(value)).casefold()).upper()


def vat_keys(vat):
    """A VAT number with and without its two-letter country prefix."""
    key = alnum_key(vat)
    if not key or key in ("/", "NA", "NONE"):
        return set()
    keys = {key}
    if len(key) > 4 and key[:2].isalpha() and key[2:].isalnum():
        keys.add(key[2:])
    return keys


def email_domain(email):
    if not email or "@" not in str(email):
        return ""
    domain = str(email).rsplit("@", 1)[1].strip().strip(">").lower()
    return "" if domain in PUBLIC_MAIL_DOMAINS else domain


def duns_key(duns):
    """Nine-digit DUNS, or '' for placeholders such as 'DNP'."""
    digits = re.sub(r"\D", "", str(duns or ""))
    return digits if len(digits) == 9 and digits != "000000000" else ""


@dataclass
class MatchCandidate:
    record: object
    score: float
    rule: str
    explanation: str


@dataclass
class MatchResult:
    """Outcome of a matching cascade: a record (decided by ``rule``) or candidates for review."""

    record: object = None
    rule: str = ""
    explanation: str = ""
    candidates: list = field(default_factory=list)
    reason: str = ""

    def __bool__(self):
        return bool(self.record)

    def review_error(
        self, *, binding_type, external_id, label, kind, res_model, allow_create=False, key=None, backend=None
    ):
        """The NeedsReviewError that parks a document on this undecided match (a value of
        connection ``backend``, by default the one of the document's line)."""
        return NeedsReviewError(
            f"{label}: {self.reason}",
            blocking_key=f"review:{binding_type}:{external_id}",
            review={
                "name": label,
                "kind": kind,
                "binding_type": binding_type,
                "external_id": external_id,
                "external_key": key,
                "external_label": label,
                "reason": self.reason,
                "res_model": res_model,
                "allow_create": allow_create,
                "candidates": self.candidates,
                "backend_id": backend.id if backend else None,
            },
        )
