"""The Oracle Fusion part of the proof's world: a Fusion pod and the JAGGAER tenant it syncs with.

Once per database: a Fusion connection joined to a JAGGAER connection of its own (flows run by
the Fusion connection), one supplier known on both sides, a chart with one combination mapped to
JAGGAER's values. Each world then adds, with its tag:

* purchase orders in Fusion, half of them pending acknowledgment (sent to JAGGAER, which
  acknowledges them: accepted back in Fusion);
* orders JAGGAER already received on (Fusion → JAGGAER, then the received quantity back to
  Fusion as a receipt request, processed by the pod);
* JAGGAER invoices billing the Fusion orders (into Fusion payables).

:func:`reconcile` counts, per document, what is missing on the side it should reach (*lost*)
and what arrived more than once (*duplicated*: an order imported as a change without one, a
quantity received twice, an invoice created twice).
"""

from dataclasses import dataclass, field

SUPPLIER = "Proof Lab Supply"
SUPPLIER_NUMBER = "9001"
COMBINATION = "01-200-6100-0000-000"
RECEIVED = 4  # what JAGGAER received on line 1 of each receipt order
LINES = 3  # lines per order: 10 x 5.00 each
FUSION_SECRET = "fusion-secret"


@dataclass
class FusionWorld:
    pos: list = field(default_factory=list)  # Fusion orders sent to JAGGAER
    pending: list = field(default_factory=list)  # those pending acknowledgment
    receipts: list = field(default_factory=list)  # orders JAGGAER received on
    invoices: list = field(default_factory=list)  # JAGGAER invoices billing Fusion orders

    @property
    def documents(self):
        return len(self.pos) + 2 * len(self.pending) + 2 * len(self.receipts) + len(self.invoices)


def seed(sims):
    """Both simulators afresh: the pod processes receipt requests at once, JAGGAER's suppliers
    acknowledge what it distributes."""
    sims.control("fusion", "reset")
    sims.control("fusion_jaggaer", "reset")
    sims.control("fusion", "config", {"receipt_processing_delay": 0})
    sims.control("fusion_jaggaer", "config", {"auto_advance_po": True})
    sims.control("fusion", "seed", _fusion_seed())
    sims.control("fusion_jaggaer", "seed", _jaggaer_seed())


def _fusion_seed():
    address = {"AddressName": "RALEIGH", "AddressLine1": "1 Main St", "City": "Raleigh", "State": "NC",
               "PostalCode": "27601", "Country": "US"}  # fmt: skip
    segments = {
        "Segment1": "01",
        "Segment2": "200",
        "Segment3": "6100",
        "Segment4": "0000",
        "Segment5": "000",
    }
    supplier = {"Supplier": SUPPLIER, "SupplierNumber": SUPPLIER_NUMBER, "TaxpayerId": "56-9001001",
                "DUNSNumber": "190019001", "TaxpayerCountry": "US", "addresses": [address],
                "sites": [{"SupplierSite": "RALEIGH", "AddressName": "RALEIGH"}]}  # fmt: skip
    return {
        "account_combinations": [{"ChartOfAccountsId": 101, **segments}],
        "value_sets": [
            {
                "ValueSetCode": "VISION_ACCOUNT",
                "values": [{"Value": "6100", "Description": "Laboratory supplies"}],
            },
            {"ValueSetCode": "VISION_COST_CENTER", "values": [{"Value": "200", "Description": "Laboratory"}]},
        ],
        "suppliers": [supplier],
    }


def _jaggaer_seed():
    supplier = {"bravoId": 7901, "companyName": SUPPLIER, "extCode": SUPPLIER_NUMBER,
                "fiscalCode": "56-9001001", "extUniqueCode": "190019001", "dAndBCode": "190019001",
                "isoCountry": "US", "city": "Raleigh", "zip": "27601", "province": "NC",
                "address": "1 Main St"}  # fmt: skip
    return {
        "suppliers": [supplier],
        "gl_values": [
            {"internalName": "Account", "value": "610000", "description": "Laboratory supplies"},
            {"internalName": "CostCenter", "value": "CC-200", "description": "Laboratory"},
        ],
    }


def ensure(env, sims, prefix="Proof"):
    """The two connections (created once); their URLs follow the simulator process."""
    Backend = env["ml.connector.backend"]
    fusion = Backend.search([("name", "=", f"{prefix} Fusion")], limit=1)
    jaggaer = Backend.search([("name", "=", f"{prefix} JAGGAER (Fusion)")], limit=1)
    if fusion:
        if fusion.base_url != sims.fusion_url:
            fusion.write({"base_url": sims.fusion_url, "token_url": f"{sims.fusion_url}/oauth2/v1/token"})
            jaggaer.write({"base_url": sims.fusion_jaggaer_url})
            # a new simulator process (a partial re-run with --only): a remote that never saw the
            # documents Odoo links; the mappings between the two connections still hold
            env["ml.connector.binding"].search([("backend_id", "in", (fusion | jaggaer).ids)]).unlink()
            fusion.flow_ids.write({"cursor": False, "last_collect_run_id": False})
        (fusion | jaggaer).filtered(lambda b: b.state != "active").action_activate()
        return fusion, jaggaer
    common = {"test_mode": True, "interval_number": 1, "interval_type": "minutes", "batch_size": 50}
    jaggaer = Backend.create(
        {
            "name": f"{prefix} JAGGAER (Fusion)",
            "system_type": "jaggaer",
            "base_url": sims.fusion_jaggaer_url,
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            **common,
        }
    )
    jaggaer.flow_ids.unlink()
    fusion = Backend.create(
        {
            "name": f"{prefix} Fusion",
            "system_type": "fusion",
            "base_url": sims.fusion_url,
            "token_url": f"{sims.fusion_url}/oauth2/v1/token",
            "client_id": "MLC_INTEGRATION",
            "client_secret": FUSION_SECRET,
            "fusion_business_units": "Vision Operations",
            "fusion_procurement_bu": "Vision Operations",
            "fusion_receiving_org": "M1",
            "fusion_chart_of_accounts_id": "101",
            "fusion_account_segment": 3,
            "fusion_account_value_set": "VISION_ACCOUNT",
            "fusion_cost_center_segment": 2,
            "fusion_cost_center_value_set": "VISION_COST_CENTER",
            "fusion_receipt_wait": 1,
            "fusion_jaggaer_id": jaggaer.id,
            **common,
        }
    )
    (fusion | jaggaer).action_activate()
    return fusion, jaggaer


def _order(number, status, received=False):
    schedule = {"Quantity": 10, "distributions": [{"POChargeAccount": COMBINATION}]}
    lines = [
        {
            "Description": f"Lab item {n}",
            "Quantity": 10,
            "Price": "5.00",
            "UOM": "Each",
            "schedules": [schedule],
        }
        for n in range(1, LINES + 1)
    ]
    return {"OrderNumber": number, "Supplier": SUPPLIER, "DocumentStatusCode": status, "lines": lines}


def _jaggaer_order(number):
    """The order as JAGGAER already holds it, with 4 received on its first line."""
    lines = [
        {
            "lineNumber": str(n),
            "quantity": 10,
            "quantityReceived": RECEIVED if n == 1 else 0,
            "unitPrice": {"currency": "USD", "value": 5.0},
            "item": {"description": f"Lab item {n}"},
        }
        for n in range(1, LINES + 1)
    ]
    return {
        "poNumber": number,
        "status": "Partially Received",
        "supplier": {"supplierNumber": SUPPLIER_NUMBER},
        "lineList": {"poLine": lines},
    }


def build(sims, tag, pos, receipts, invoices):
    world = FusionWorld()
    orders = []
    for index in range(pos):
        number = f"{tag}-F{index:04d}"
        pending = index % 2 == 1
        orders.append(_order(number, "PENDING ACKNOWLEDGMENT" if pending else "OPEN"))
        (world.pending if pending else world.pos).append(number)
    for index in range(receipts):
        number = f"{tag}-R{index:04d}"
        orders.append(_order(number, "OPEN"))
        world.receipts.append(number)
    sims.control("fusion", "seed", {"purchase_orders": orders})
    sims.control("fusion_jaggaer", "seed", {"purchase_orders": [_jaggaer_order(n) for n in world.receipts]})
    billed = world.pos + world.pending
    for index in range(invoices if billed else 0):
        number = f"{tag}-FI{index:05d}"
        po_number = billed[index % len(billed)]
        sims.control(
            "fusion_jaggaer",
            "jaggaer/invoices",
            {
                "supplier_number": SUPPLIER_NUMBER,
                "supplier_invoice_number": number,
                "lines": [
                    {
                        "po_number": po_number,
                        "po_line_number": str(line),
                        "quantity": 1,
                        "unit_price": 5.0,
                        "description": f"Lab item {line}",
                        "account": "610000",
                        "cost_center": "CC-200",
                    }
                    for line in range(1, LINES + 1)
                ],
            },
        )
        world.invoices.append(number)
    return world


def reconcile(sims, world, note):
    """Call ``note("lost"|"duplicated", what)`` for every document of ``world`` that is missing or
    arrived more than once."""
    fusion = sims.control("fusion", "state", method="GET")
    jaggaer = sims.control("fusion_jaggaer", "state", method="GET")
    in_jaggaer = {po["poNumber"]: po for po in jaggaer["purchase_orders"]}
    in_fusion = {po["OrderNumber"]: po for po in fusion["purchase_orders"]}
    for number in world.pos + world.pending + world.receipts:
        # an order JAGGAER had before is changed once by the first import; the others never
        changes = 1 if number in world.receipts else 0
        po = in_jaggaer.get(number)
        if po is None:
            note("lost", f"Fusion PO {number} not in JAGGAER")
        elif po["revisionNumber"] > changes:
            note("duplicated", f"Fusion PO {number} imported as {po['revisionNumber']} changes")
    for number in world.pending:
        po = in_fusion[number]
        if (po["DocumentStatusCode"], po["acknowledgment"]) != ("OPEN", "ACCEPT"):
            note("lost", f"acknowledgment of {number} not in Fusion ({po['DocumentStatusCode']})")
    for number in world.receipts:
        received = in_fusion[number]["received"][0]
        if received < RECEIVED:
            note("lost", f"receipt of {number}: Fusion received {received} of {RECEIVED}")
        elif received > RECEIVED:
            note("duplicated", f"receipt of {number}: Fusion received {received}, not {RECEIVED}")
    per_number = {}
    for invoice in fusion["invoices"]:
        per_number[invoice["InvoiceNumber"]] = per_number.get(invoice["InvoiceNumber"], 0) + 1
    for number in world.invoices:
        count = per_number.get(number, 0)
        if not count:
            note("lost", f"JAGGAER invoice {number} not in Fusion")
        elif count > 1:
            note("duplicated", f"JAGGAER invoice {number} is {count} Fusion invoices")
