"""The add-on's own RSX 7.7 reader and validator, checked against the reference examples and
against the simulator's independent validator."""

import copy
import json

from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_open

from odoo.addons.ml_connector_sps.tools import rsx

from tests.simulators import rsx as sim_rsx


def reference_examples():
    with file_open("tests/data/rsx_reference_examples.json", filter_ext=(".json",)) as handle:
        return json.load(handle)


@tagged("post_install", "-at_install")
class TestRsx(BaseCase):
    def test_reference_examples_are_read_and_valid(self):
        for code, doc in reference_examples().items():
            with self.subTest(code=code):
                self.assertEqual(rsx.detect_type(doc), code)
                self.assertEqual(rsx.validate(doc, expected=code), [])
                _type, tpid, identifier = rsx.identifiers(doc)
                self.assertEqual(tpid, "7ZQALLACMEWIDGT")
                self.assertTrue(identifier)

    def test_problems_are_found_like_the_simulator_finds_them(self):
        examples = reference_examples()

        def setter(*path, **values):
            def mutate(doc):
                target = doc
                for key in path:
                    target = target[key]
                target.update(values)

            return mutate

        def remover(*path):
            return lambda doc: rsx.header(doc).pop(path[-1])

        mutations = {
            "unknown nested key": ("850", setter("LineItem", 0, "OrderLine", Colour="blue")),
            "number as string": ("850", setter("LineItem", 0, "OrderLine", OrderQty="24")),
            "unknown unit code": ("850", setter("LineItem", 0, "OrderLine", OrderQtyUOM="XX")),
            "tpid too long": ("810", setter("Header", "InvoiceHeader", TradingPartnerId="X" * 16)),
            "missing identifier": ("856", remover("ShipmentIdentification")),
            "missing tpid": ("944", remover("TradingPartnerId")),
            "bad date": ("855", setter("Header", "OrderHeader", AcknowledgementDate="04/03/2025")),
            "bad condition": (
                "944",
                setter("OrderLevel", "LineItem", 0, "DetailResponse", 0, ReceivingConditionCode="99"),
            ),
        }
        for name, (code, mutate) in mutations.items():
            with self.subTest(name):
                doc = copy.deepcopy(examples[code])
                mutate(doc)
                ours, theirs = rsx.validate(doc, expected=code), sim_rsx.validate(doc)
                self.assertTrue(ours, f"{name}: our validator accepted it")
                self.assertTrue(theirs, f"{name}: the simulator accepted it")
        doc = copy.deepcopy(examples["850"])
        doc["LineItem"][0]["OrderLine"]["Colour"] = "blue"
        self.assertEqual(
            rsx.validate(doc),
            ["$.LineItem[0].OrderLine.Colour: unknown key (RSX 7.7 allows no additional properties)"],
        )

    def test_wrong_type_for_the_folder(self):
        problems = rsx.validate(reference_examples()["856"], expected="850")
        self.assertEqual(problems, ["$: expected Order (850) but the document is Shipment (856)"])

    def test_files_with_bom_batches_and_garbage(self):
        doc = reference_examples()["850"]
        self.assertEqual(rsx.parse(rsx.BOM + json.dumps(doc).encode()), doc)
        self.assertEqual(rsx.documents(rsx.parse(json.dumps([doc, doc]))), [doc, doc])
        for data, message in (
            (b"not json", "not valid JSON"),
            (b'"text"', "neither a document"),
            (b"\xff", "UTF-8"),
        ):
            with self.assertRaisesRegex(rsx.RsxError, message):
                rsx.parse(data)

    def test_strict_json_and_texts_odoo_can_store(self):
        doc = reference_examples()["850"]
        text = json.dumps(doc)
        for data, message in (
            (text.replace('"OrderQty": 24', '"OrderQty": NaN'), "NaN is not a JSON number"),
            (text.replace('"OrderQty": 24', '"OrderQty": -Infinity'), "Infinity is not a JSON number"),
            (text.replace('"OrderQty": 24', '"OrderQty": 1e999'), "too large a number"),
            ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
            ('{"Header": ' + "[" * 70 + "]" * 70 + "}", "nested too deeply"),
        ):
            with self.subTest(message), self.assertRaisesRegex(rsx.RsxError, message):
                rsx.parse(data)
        self.assertFalse(rsx.is_number(float("nan")) or rsx.is_number(float("inf")) or rsx.is_number(10**400))

        def problems(**header):
            mutated = copy.deepcopy(doc)
            mutated["Header"]["OrderHeader"].update(header)
            return rsx.validate(mutated, expected="850")

        where = "$.Header.OrderHeader"
        self.assertEqual(
            problems(PurchaseOrderNumber="PO\u200b1"),
            [f"{where}.PurchaseOrderNumber: contains invisible characters (U+200B)"],
        )
        self.assertEqual(
            problems(PurchaseOrderNumber="P" * 81),
            [f"{where}.PurchaseOrderNumber: is 81 characters long (at most 80)"],
        )
        self.assertEqual(
            problems(PurchaseOrderNumber=" "), [f"{where}.PurchaseOrderNumber: required, but empty"]
        )
        self.assertEqual(
            problems(Department="A\x00B"),
            [f"{where}.Department: contains a NUL character (U+0000), which cannot be stored"],
        )
        self.assertEqual(
            problems(Department="\ud800"),
            [f"{where}.Department: contains an unpaired surrogate (U+D800), which is not valid Unicode"],
        )
        self.assertEqual(
            problems(Department="\x1b[2J"), [f"{where}.Department: contains a control character (U+001B)"]
        )
        self.assertEqual(
            problems(Department="\u05e1\u200f \U0001f600"), [], "names may hold any visible text"
        )

    def test_totals_are_checked(self):
        doc = copy.deepcopy(reference_examples()["810"])
        self.assertEqual(rsx.total_problems(doc, "InvoiceLine", "InvoiceQty"), [])
        doc["Summary"]["TotalAmount"] = 331.0
        self.assertIn("does not add up", rsx.total_problems(doc, "InvoiceLine", "InvoiceQty")[0])
        doc["Summary"]["TotalLineItemNumber"] = 3
        self.assertEqual(len(rsx.total_problems(doc, "InvoiceLine", "InvoiceQty")), 2)

    def test_file_names_are_deterministic_and_safe(self):
        self.assertEqual(rsx.file_name("850", "PO-DEMO-0003", 1), "POPO-DEMO-0003-1.json")
        self.assertEqual(rsx.file_name("810", "INV/2025/00007", "2"), "ININV_2025_00007-2.json")

    # ------------------------------------------------------------------ RSX XML
    def test_xml_reads_as_the_same_document_as_json(self):
        for code, doc in reference_examples().items():
            with self.subTest(code=code):
                self.assertEqual(rsx.parse(sim_rsx.to_xml(doc)), doc)
                self.assertEqual(
                    rsx.parse(sim_rsx.to_xml(doc, bom=True)), doc, "a byte order mark is tolerated"
                )
        doc = reference_examples()["850"]
        batch = sim_rsx.to_xml([doc, doc])
        self.assertEqual(rsx.parse(batch), [doc, doc], "<Orders> holds a batch")
        parts = rsx.xml_documents(rsx.decode(batch))
        self.assertEqual([rsx.parse(part) for part in parts], [doc, doc], "each document on its own")
        # without the namespace, and with one line only: still a list of lines
        single = sim_rsx.to_xml({**doc, "LineItem": doc["LineItem"][:1]}).replace(
            b' xmlns="http://www.spscommerce.com/RSX"', b""
        )
        self.assertEqual(rsx.parse(single)["LineItem"], doc["LineItem"][:1])

    def test_xml_values_keep_their_types_and_bad_ones_are_reported(self):
        doc = copy.deepcopy(reference_examples()["850"])
        xml = sim_rsx.to_xml(doc).replace(b"<OrderQty>24</OrderQty>", b"<OrderQty>24.0</OrderQty>")
        self.assertEqual(rsx.parse(xml)["LineItem"][0]["OrderLine"]["OrderQty"], 24.0)
        self.assertEqual(rsx.parse(xml)["Header"]["OrderHeader"]["Vendor"], "100482", "identifiers stay text")
        bad = sim_rsx.to_xml(doc).replace(b"<OrderQty>24</OrderQty>", b"<OrderQty>two dozen</OrderQty>")
        self.assertEqual(
            rsx.validate(rsx.parse(bad)),
            ["$.LineItem[0].OrderLine.OrderQty: expected a number, got the string 'two dozen'"],
        )
        for data, message in (
            (b"<Order><Header>", "not well-formed XML"),
            (b"<Catalog/>", "root element <Catalog> is not an RSX document"),
            (
                b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]><Order>&x;</Order>',
                "DOCTYPE",
            ),
        ):
            with self.subTest(message), self.assertRaisesRegex(rsx.RsxError, message):
                rsx.parse(data)

    def test_change_orders_and_inventory_advice_are_recognised(self):
        change = sim_rsx.change_order(
            "NWDALLNORTHWND", "4500020003", 2, [{"seq": "1", "change": "QI", "qty": 3}]
        )
        self.assertEqual(rsx.detect_type(change), "860")
        self.assertEqual(rsx.validate(change, expected="860"), [])
        change["LineItem"][0]["OrderLine"]["LineChangeCode"] = "ZZ"
        self.assertEqual(
            rsx.validate(change, expected="860"),
            ["$.LineItem[0].OrderLine.LineChangeCode: 'ZZ' is not an RSX 7.7 code (line_change)"],
        )
        advice = sim_rsx.inventory_advice(
            "7ZQALLACMEWIDGT", "IB-1", [{"vendor_part": "A", "quantities": [{"qty": 1}]}]
        )
        self.assertEqual((rsx.detect_type(advice), rsx.validate(advice, expected="846")), ("846", []))

    def test_problems_split_by_what_the_flow_reads(self):
        problems = [
            "$.Header.OrderHeader.PurchaseOrderDate: expected a date YYYY-MM-DD, got '03/03/2025'",
            "$.LineItem[0].OrderLine.OrderQty: expected a number, got the string 'x'",
            "$.Header.Paperwork[0].Foo: unknown key (RSX 7.7 allows no additional properties)",
            "$.Header.OrderHeader.Vendor: required",
        ]
        used = ("$.LineItem[].OrderLine.OrderQty",)
        refusals, warnings = rsx.split_problems(problems, lambda path: rsx.matches(path, used))
        self.assertEqual(warnings, problems[:1])
        self.assertEqual(
            refusals, problems[1:], "what the flow reads, unknown keys and missing fields refuse"
        )
        doc = {
            "Meta": {"SenderUniqueID": "X"},
            "Header": {"CarrierInformation": [{"CarrierRouting": "FedEx"}]},
        }
        self.assertEqual(
            rsx.unread_fields(doc, lambda path: False), ["Meta.SenderUniqueID", "Header.CarrierInformation"]
        )
        self.assertTrue(rsx.matches("$.Header.Address[3].City", ("$.Header.Address[]*",)))
