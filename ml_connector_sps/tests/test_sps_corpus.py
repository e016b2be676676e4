"""The realistic partner files of ``tests/data/sps`` (850 cross-dock, multi-store in XML, bulk,
drop-ship, a PO number reused by a second release, an 860 changing the bulk order, an 855 with an
informational date written the wrong way, an 856 with a pallet and cartons, a 944 reusing the
ship notice's number, two 846 arriving newest first) give exactly what ``expected.json`` says,
against the simulator as it is and against a simulator that makes the other legal choices (files
listed newest first a few per page with bare next links, every type in one folder, RSX XML,
other file names, times with offsets) with sales orders as the target."""

import json

from odoo.tests import tagged
from odoo.tools.misc import file_open

from tests.simulators import rsx as sim_rsx

from .common import ACCOUNT, SpsCase

CORPUS = "tests/data/sps/"
# the order the partners send them in (the 860 after its 850, the older 846 last)
FILES = (
    "850-NWDALLNORTHWND-4500020001-crossdock.json",
    "850-NWDALLNORTHWND-4500020001-release2.json",
    "850-NWDALLNORTHWND-4500020002-multistore.xml",
    "850-NWDALLNORTHWND-4500020003-bulk.json",
    "850-NWDALLNORTHWND-4500020004-dropship.json",
    "860-NWDALLNORTHWND-4500020003-change1.json",
    "855-7ZQALLACMEWIDGT-PO-CORPUS-1.json",
    "856-7ZQALLACMEWIDGT-ASN-CORPUS-1.json",
    "944-7ZQALLACMEWIDGT-ASN-CORPUS-1.json",
    "846-7ZQALLACMEWIDGT-20250310.json",
    "846-7ZQALLACMEWIDGT-20250309.xml",
)
OTHER_CHOICES = {
    "list_order": "newest_first",
    "paging_next": "url",
    "out_layout": "flat",
    "rsx_format": "xml",
    "file_names": "edi",
    "document_times": "-06:00",
    "history_timestamps": "offset",
}
INBOUND_FOLDERS = ("sps_folder_850", "sps_folder_855", "sps_folder_856", "sps_folder_944", "sps_folder_846")
TARGET_FIELDS = {
    "purchase.order": {"qty": "product_qty", "ship_to": "sps_ship_to_id", "date": "date_planned"},
    "sale.order": {"qty": "product_uom_qty", "ship_to": "partner_shipping_id", "date": "commitment_date"},
}


def corpus_file(name):
    with file_open(CORPUS + name, "rb", filter_ext=(".json", ".xml")) as handle:
        return handle.read()


@tagged("post_install", "-at_install")
class TestCorpus(SpsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expected = json.loads(corpus_file("expected.json"))
        cls.charges = cls.env["product.product"].create(
            {"name": "Charges and allowances (SPS)", "type": "service", "sale_ok": True, "purchase_ok": True}
        )
        cls.backend.sps_charge_product_id = cls.charges
        company = cls.backend.company_id
        for use in ("sale", "purchase"):
            cls.env["account.tax"].create(
                {"name": f"Ohio 7.25% ({use})", "amount": 7.25, "type_tax_use": use, "company_id": company.id}
            )
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.northwind.id,
                "product_tmpl_id": cls.blue.product_tmpl_id.id,
                "product_code": "NW-778812",
            }
        )

    def our_order(self):
        """PO-CORPUS-1 to Acme, the order the vendor's 855, 856 and 944 of the corpus talk about."""
        return self.make_po(
            [(self.blue, 24, self.unit, 4.75), (self.red, 5, self.case, 54.0)], name="PO-CORPUS-1"
        )

    def deliver(self, other_choices=False):
        """Drop the files in the partners' folders; ``{file: path on SPS}``."""
        paths = {}
        for name in FILES:
            data, code = corpus_file(name), name[:3]
            if other_choices:
                # RSX XML, named the way another account's partners name files
                _code, tpid, rest = name.split("-", 2)
                data = data if name.endswith(".xml") else sim_rsx.to_xml(sim_rsx.parse(data))
                name_on_sps = f"{code}_{tpid}_{rest.rsplit('.', 1)[0]}.xml"
            else:
                name_on_sps = name
            paths[name] = self.sim.drop_raw(self.sim.out_folder(code) + name_on_sps, data, account=ACCOUNT)
        return paths

    def run_corpus(self, other_choices=False):
        if other_choices:
            self.sim.configure(**OTHER_CHOICES)
            self.backend.sps_page_size = 3
            for field in INBOUND_FOLDERS:
                self.backend[field] = ""
            self.tp_northwind.order_target = "sale_order"
        order = self.our_order()
        paths = self.deliver(other_choices)
        self.run_sps()
        Line = self.env["ml.connector.audit.line"]
        for name, path in paths.items():
            line = Line.search(
                [("flow_id.source_backend_id", "=", self.backend.id), ("external_id", "=", path)]
            )
            with self.subTest(file=name):
                self.assertEqual(len(line), 1, f"{name}: one audit line")
                self.assertEqual(line.state, "done", f"{name}: {line.error_message}")
                self.check(name, line, order)
        self.assertEqual(self.files("out/"), {}, "every file read and taken off SPS")

    # ------------------------------------------------------------------ what each file gives
    def check(self, name, line, order):
        expected = self.expected[name]
        kind = expected["kind"]
        if kind == "order":
            self.check_order(expected, line)
        elif kind == "change":
            self.assertIn("applied", line.error_message)
        elif kind == "acknowledgement":
            self.check_acknowledgement(expected, line, order)
        elif kind == "shipment":
            self.check_shipment(expected, order)
        elif kind == "receipt":
            self.check_receipt(expected, order)
        elif kind == "inventory":
            self.check_inventory(expected, line)

    def check_order(self, expected, line):
        record = self.env[line.res_model].browse(line.res_id)
        fields = TARGET_FIELDS[record._name]
        self.assertEqual(record.sps_partner_id, self.tp_northwind)
        self.assertFalse(record.sps_total_issue, "the totals are the partner's")
        products = record.order_line.filtered(lambda ol: ol.product_id != self.charges)
        self.assertEqual(
            [
                [
                    ol.sps_line_number,
                    ol.sps_store or "",
                    ol.product_id.default_code,
                    ol[fields["qty"]],
                    ol.product_uom_id._sps_unit_code(),
                    ol.price_unit,
                    ol.discount,
                ]
                for ol in products
            ],
            expected["lines"],
        )
        charges = record.order_line - products
        self.assertEqual(sorted([ol.name, ol.price_unit] for ol in charges), sorted(expected["charges"]))
        self.assertAlmostEqual(record.amount_untaxed, expected["untaxed"], places=2)
        if "taxes" in expected:
            self.assertAlmostEqual(record.amount_tax, expected["taxes"], delta=0.02)
            self.assertEqual(set(products.tax_ids.mapped("amount")), {expected["tax_rate"]})
        ship_to = record[fields["ship_to"]]
        if expected["ship_to"] is None:
            self.assertFalse(record._name == "purchase.order" and ship_to)
        for key, value in (expected["ship_to"] or {}).items():
            self.assertEqual(ship_to[key], value, key)
        if expected.get("ship_to"):
            self.assertEqual(ship_to.parent_id, self.northwind, "a contact of the partner")
        if expected.get("date_planned"):
            self.assertEqual(str(record[fields["date"]].date()), expected["date_planned"])
        for text in expected["notes"]:
            self.assertIn(text, str(record.note))
        if expected.get("change_seq"):
            self.assertEqual(record.sps_change_seq, expected["change_seq"])

    def check_acknowledgement(self, expected, line, order):
        self.assertEqual(
            (order.sps_ack_status, order.sps_ack_number), (expected["status"], expected["number"])
        )
        self.assertEqual(order.order_line.mapped("sps_ack_status"), expected["line_statuses"])
        self.assertEqual(order.order_line.mapped("sps_ack_detail"), expected["line_details"])
        for text in expected["message"]:
            self.assertIn(text, line.error_message)

    def check_shipment(self, expected, order):
        picking = order.picking_ids.filtered(
            lambda p: expected["packs"].split(":")[0] in (p.sps_asn_ref or "")
        )
        self.assertEqual(
            {move.product_id.default_code: move.sps_asn_qty for move in picking.move_ids},
            expected["announced"],
        )
        self.assertEqual(
            (picking.sps_packs, picking.sps_bol), (expected["packs"], expected["bill_of_lading"])
        )

    def check_receipt(self, expected, order):
        done = order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual({m.product_id.default_code: m.quantity for m in done.move_ids}, expected["received"])
        self.assertEqual(
            {m.product_id.default_code: m.sps_damaged_qty for m in done.move_ids if m.sps_damaged_qty},
            expected["damaged"],
        )
        backorder = order.picking_ids - done
        self.assertEqual(
            {m.product_id.default_code: m.product_uom_qty for m in backorder.move_ids}, expected["backorder"]
        )

    def check_inventory(self, expected, line):
        if expected.get("older"):
            self.assertIn("older than what was recorded", line.error_message)
            return
        rows = self.env["ml.connector.sps.stock"].search([("backend_id", "=", self.backend.id)])
        self.assertEqual(
            sorted(
                [
                    row.product_id.default_code or row.item_code,
                    row.location,
                    row.kind,
                    row.quantity,
                    row.uom_code,
                    str(row.quantity_date or ""),
                ]
                for row in rows
            ),
            sorted(expected["rows"]),
        )
        self.assertEqual({str(row.as_of) for row in rows}, {expected["as_of"]}, "the newer advice wins")

    # ------------------------------------------------------------------ the two simulators
    def test_corpus(self):
        self.run_corpus()

    def test_corpus_against_the_other_legal_choices(self):
        self.run_corpus(other_choices=True)
        self.assertTrue(self.env["sale.order"].search([("sps_partner_id", "=", self.tp_northwind.id)]))
