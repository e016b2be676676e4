import copy
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from odoo import api, fields, models

from odoo.addons.ml_connector.tools.errors import (
    AuthError,
    ConnectorError,
    DocumentError,
    OutcomeUnknownError,
)
from odoo.addons.ml_connector.tools.payload import content_hash

from ..tools import rsx
from ..tools.values import problems_text

# After an upload of unknown outcome, SPS's history is read from a little before the document
# was stored (clocks differ).
HISTORY_MARGIN = timedelta(minutes=10)


def rsx_address(type_code, address):
    """An RSX ``Address`` (ST ship-to, BT bill-to, RI remit-to…) of a canonical address."""
    return rsx.compact(
        AddressTypeCode=type_code,
        AddressName=address.name,
        Address1=address.street,
        Address2=address.street2,
        City=address.city,
        State=address.state,
        PostalCode=address.zip,
        Country=address.country,
    )


@dataclass
class Rendered:
    """The RSX document a line sends: as data and as the text uploaded, its file, and the hash of
    what it says whatever its purpose and revision."""

    doc: dict
    text: str
    path: str
    business_hash: str
    binding: Any  # the binding of the versions SPS received (may be empty)


class MlConnectorWriterSps(models.AbstractModel):
    """Documents of another end to the SPS outbound folder (``in/``) as RSX files.

    Render (at each attempt, from the canonical document): the RSX document, its purpose (00
    original, 05 replacement once a version reached SPS, 01 cancellation) and
    ``DocumentRevision`` from the binding of the versions SPS received. Rendering is
    deterministic: the same document renders the same bytes until a version reaches SPS.

    Send: check the document (RSX 7.7 keys and codes, totals), upload it as
    ``<prefix><number>-<revision>.json``, then remember the version in the binding: the hash of
    the canonical document (so that an unchanged record is never read again) and of what the RSX
    says, purpose and revision aside (so that a version SPS has is never uploaded again). The
    name only changes with the content: re-sending a version overwrites the same file while SPS
    has not consumed it, and an upload whose answer was lost is looked up (``in/``, then the
    history) before it is sent again. The line keeps the RSX text as sent (or as refused).
    """

    _name = "ml.connector.writer.sps"
    _inherit = "ml.connector.writer"
    _description = "SPS documents out (shared)"

    _system = "sps"
    _sps_code = None  # '850', '810'
    _sps_flag = None  # 'send_850', 'send_810'

    # ------------------------------------------------------------------ render
    @api.model
    def _partner_ref(self, document):
        """The reference of the document's trading partner (the vendor, the retailer)."""
        raise NotImplementedError

    @api.model
    def _render(self, flow, document, partner):
        """The RSX document of ``document`` (purpose and revision are set by ``_prepare``)."""
        raise NotImplementedError

    @api.model
    def _is_cancellation(self, document):
        return False

    @api.model
    def _business_problems(self, doc):
        return []

    @api.model
    def _business_hash(self, doc):
        """Hash of what the document says, whatever its purpose (00/05) and revision."""
        doc = copy.deepcopy(doc)
        head = rsx.header(doc, self._sps_code)
        head.pop("DocumentRevision", None)
        if head.get("TsetPurposeCode") != "01":
            head["TsetPurposeCode"] = "00"
        return content_hash(doc)

    @api.model
    def _trading_partner(self, flow, document):
        """The trading partner the document goes to: it must be set up to receive it."""
        backend = self._backend(flow)
        ref = self._partner_ref(document)
        partner = self._odoo_partner(flow, ref)
        trading_partner = backend._sps_partner_of(partner, self._sps_flag) if partner else None
        if not trading_partner:
            record = self._odoo_record(flow, document)
            raise DocumentError(
                self.env._(
                    "%(record)s: %(partner)s is not a trading partner that receives %(label)s on "
                    "%(connection)s.",
                    record=record.display_name if record else document.number,
                    partner=partner.display_name if partner else ref.name or ref.number or ref.key,
                    label=rsx.TYPES[self._sps_code].label,
                    connection=backend.name,
                )
            )
        return trading_partner

    @api.model
    def _odoo_partner(self, flow, ref):
        """The Odoo partner ``ref`` stands for: the record itself when the source is this database,
        else the partner its supplier binding joins it to."""
        if not flow.source_backend_id:
            return self._odoo_record(flow, ref)
        binding = self.env["ml.connector.binding"]._counterpart(
            "supplier", flow.source_backend_id, ref.key, None
        )
        return binding._record() if binding else None

    @api.model
    def _sent_binding(self, flow, document):
        backend = self._backend(flow)
        return self.env["ml.connector.binding"]._find(
            backend, backend._binding_type(self._binding_kind), **self._local_side(flow, document.key)
        )

    @api.model
    def _prepare(self, line, document):
        """The :class:`Rendered` document of ``line``, checked; DocumentError if it must not be sent
        (the refused document travels with the error, for the line to keep)."""
        flow = line.flow_id
        partner = self._trading_partner(flow, document)
        doc = self._render(flow, document, partner)
        head = rsx.header(doc, self._sps_code)
        head["TsetPurposeCode"] = "01" if self._is_cancellation(document) else "00"
        business_hash = self._business_hash(doc)
        binding = self._sent_binding(flow, document)
        sent = (binding.data or {}) if binding else {}
        sent_revision = sent.get("sent_revision") or 0
        if head["TsetPurposeCode"] != "01" and sent_revision:
            head["TsetPurposeCode"] = "05"
        # The revision counts versions SPS received: a version that never got through is replaced
        # by the next one under the same name.
        same = binding and sent.get("sent_hash") == business_hash
        head["DocumentRevision"] = str(sent_revision if same else sent_revision + 1)
        text = rsx.dumps(doc)
        problems = rsx.validate(doc, expected=self._sps_code) + self._business_problems(doc)
        if problems:
            error = DocumentError(
                self.env._(
                    "Not sent: the %(label)s is not valid RSX 7.7: %(problems)s",
                    label=rsx.TYPES[self._sps_code].root,
                    problems=problems_text(problems),
                )
            )
            error.sent = text
            raise error
        _code, _tpid, identifier = rsx.identifiers(doc)
        path = self._backend(flow)._sps_folder() + rsx.file_name(
            self._sps_code, identifier, head["DocumentRevision"]
        )
        return Rendered(doc, text, path, business_hash, binding)

    # ------------------------------------------------------------------ send
    @api.model
    def _write(self, line, document):
        flow = line.flow_id
        record = self._odoo_record(flow, document)  # None unless the source is this database
        if record is None and not flow.source_backend_id:
            return {
                "state": "skipped",
                "message": self.env._("The Odoo record no longer exists: nothing sent."),
            }
        rendered = self._prepare(line, document)
        binding = rendered.binding
        sent = (binding.data or {}) if binding else {}
        if sent.get("sent_hash") == rendered.business_hash and sent.get("sent_file") == rendered.path:
            # this version of the record is the one SPS has (the line keeps what it sent, if anything)
            binding.content_hash = line.content_hash
            return {
                "external_id": binding.external_id,
                "target_key": rendered.path,
                "message": self.env._("Already sent as %s: not uploaded again.", rendered.path),
            }
        if rsx.header(rendered.doc).get("TsetPurposeCode") == "01" and not sent.get("sent_revision"):
            return {
                "state": "skipped",
                "message": self.env._(
                    "Cancelled before any version reached SPS: there is nothing to cancel there."
                ),
            }
        earlier = None if line.outcome_unknown else self._unclear_earlier_send(line, rendered)
        if earlier and self._delivered(earlier, rendered.path, rendered.text):
            return self._sent(
                line,
                document,
                record,
                rendered,
                {
                    "found": rendered.path,
                    "how": "looked up after an earlier unanswered upload of this record",
                },
            )
        backend = self._backend(flow)
        try:
            response = backend._sps_api().upload(rendered.path, rendered.text.encode())
        except OutcomeUnknownError as exc:
            # SPS's history shows an upload only after its lag: look the file up once that passed,
            # not before (an earlier look proves nothing and would only wait again).
            exc.retry_at = fields.Datetime.now() + timedelta(seconds=max(backend.sps_history_lag, 0))
            exc.sent = rendered.text
            raise
        except ConnectorError as exc:
            exc.sent = rendered.text
            raise
        return self._sent(line, document, record, rendered, response)

    @api.model
    def _resolve_unknown_outcome(self, line, document):
        """The last upload got no clear answer, or was interrupted (a worker stopped, a conflict rolled
        it back): was the file delivered? (None: send it again)."""
        flow = line.flow_id
        record = self._odoo_record(flow, document)
        if record is None and not flow.source_backend_id:
            return None
        rendered = self._prepare(line, document)
        unclear = self._unclear_earlier_send(line, rendered) or line
        if self._delivered(unclear, rendered.path, rendered.text):
            return self._sent(
                line,
                document,
                record,
                rendered,
                {"found": rendered.path, "how": "looked up after an unanswered or interrupted upload"},
            )
        return None

    @api.model
    def _unclear_earlier_send(self, line, rendered):
        """The first earlier line of the same record that was superseded while its upload of what
        ``rendered`` says (purpose and revision aside) had no clear answer, or None.

        The record changed meanwhile in a way SPS does not see (a note, an analytic account): the
        file that upload tried may have arrived, and is looked up, from the time of that upload,
        before it is sent again."""
        candidates = (
            self.env["ml.connector.audit.line"]
            .sudo()
            .search(
                [
                    ("flow_id", "=", line.flow_id.id),
                    ("source_key", "=", line.source_key),
                    ("id", "<", line.id),
                    ("state", "=", "skipped"),
                    ("outcome_unknown", "=", True),
                    ("sent_payload", "!=", False),
                ],
                order="id",
            )
        )
        for candidate in candidates:
            try:
                tried = rsx.parse(candidate.sent_payload)
            except rsx.RsxError:
                continue
            if isinstance(tried, dict) and self._business_hash(tried) == rendered.business_hash:
                return candidate
        return None

    @api.model
    def _delivered(self, line, path, text):
        """Whether SPS has our file: still waiting in ``in/`` (same bytes), or an upload of that path
        in the history since the line was created. The history lags: while an upload could still be
        missing from it, the line waits instead of sending a second copy."""
        backend = self._backend(line.flow_id)
        transaction_api = backend._sps_api()
        try:
            waiting = transaction_api.download(path)
        except AuthError:
            raise
        except ConnectorError:
            waiting = None  # reading our own outbound folder is a convenience: the history decides
        if waiting is not None:
            return rsx.decode(waiting) == text
        since = (line.create_date or fields.Datetime.now()) - HISTORY_MARGIN
        try:
            if transaction_api.was_uploaded(path, since.replace(tzinfo=UTC)):
                return True
        except AuthError:
            raise
        except ConnectorError as exc:
            raise OutcomeUnknownError(
                self.env._(
                    "Cannot tell whether %(path)s reached SPS: its history could not be read (%(error)s).",
                    path=path,
                    error=exc,
                )
            ) from exc
        # measured from the unclear upload itself (the line is written at every look)
        unclear_since = line.outcome_unknown_since or line.create_date
        lag = timedelta(seconds=max(backend.sps_history_lag, 0))
        if unclear_since and fields.Datetime.now() - unclear_since < lag:
            raise OutcomeUnknownError(
                self.env._(
                    "Cannot tell yet whether %(path)s reached SPS: its history shows uploads up to %(lag)s s "
                    "late. Looking again later before sending it a second time.",
                    path=path,
                    lag=backend.sps_history_lag,
                ),
                retry_at=unclear_since + lag,
                counts_as_attempt=False,
            )
        return False

    @api.model
    def _sent(self, line, document, record, rendered, response):
        """Remember the version SPS received (binding) and tell the record."""
        flow = line.flow_id
        backend = self._backend(flow)
        _code, tpid, identifier = rsx.identifiers(rendered.doc)
        head = rsx.header(rendered.doc)
        revision = int(head.get("DocumentRevision") or 1)
        binding = self.env["ml.connector.binding"]._bind(
            backend,
            backend._binding_type(self._binding_kind),
            f"{tpid}:{identifier}",
            **self._local_side(flow, document.key),
            content_hash=line.content_hash,
            external_key=identifier,
            data={
                "sent_revision": revision,
                "sent_file": rendered.path,
                "sent_hash": rendered.business_hash,
                "purpose": head.get("TsetPurposeCode"),
                "sent_at": fields.Datetime.to_string(fields.Datetime.now()),
            },
        )
        if record is not None:
            self._after_sent(record, rendered.doc, rendered.path, backend._sps_partner(tpid))
        return {
            "external_id": binding.external_id,
            "target_key": rendered.path,
            "response": response,
            "sent": rendered.text,
            "message": self.env._(
                "Sent as %(path)s (purpose %(purpose)s, revision %(revision)s).",
                path=rendered.path,
                purpose=head.get("TsetPurposeCode"),
                revision=revision,
            ),
        }

    @api.model
    def _after_sent(self, record, doc, path, partner):
        """Hook: note the sent version on the Odoo record."""
