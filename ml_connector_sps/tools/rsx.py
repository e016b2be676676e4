"""RSX 7.7 JSON documents as the SPS connector reads and writes them (no ORM).

SPS moves opaque files; the business meaning lives in the RSX document inside
(``/work/shared/reference/sps-api.md`` §3.1, §4). This module:

* parses a file: one document or a batch (the schemas' root is ``oneOf`` a document or an
  array of documents), a UTF-8 byte order mark tolerated (§3.6, §6.9);
* tells a document's type (850, 855, 856, 810, 944, 846) from its structure and reads its
  ``TradingPartnerId`` and identifier;
* checks a document against the RSX 7.7 key tables: every object is
  ``additionalProperties: false`` (an unknown key is an error, reported with its JSON path),
  the header object with ``TradingPartnerId`` (1-15 characters) and the document identifier
  are required, quantities and amounts are numbers, identifiers strings, dates
  ``YYYY-MM-DD``, times ``HH:MM:SS`` with optional fraction and offset (SPS's own samples omit
  the offset, §4.1), and closed code lists are enforced where listed in ``CODES``;
* writes our documents with stable bytes (sorted nothing, fixed indentation), so that what
  is stored on the audit line is exactly what is uploaded.

The key tables cover every object the connector reads or writes; deeper objects it never
looks into are accepted with any content (``*``).
"""

import json
import math
import re
from collections import defaultdict
from datetime import date

from lxml import etree

from odoo.addons.ml_connector.tools.text import identifier_problem, storable, text_problem

BOM = b"\xef\xbb\xbf"


class RsxError(ValueError):
    """A file that is not an RSX document at all (not JSON, not an object or array)."""


# -- closed code lists (RSX 7.7 enums) ---------------------------------------------------------
UOM_CODES = frozenset(
    """01 03 12 15 1N 2N 2P 2W 31 3F 3T 4E 4F 4G 50 5I 68 8C AA AD AF AM AS AV AY BA BB BC BD BF BG BI
    BJ BK BL BM BN BO BP BR BT BTU BU BX C3 C4 C8 CA CA1 CA2 CB CC CD CE CF CFM CG CH CI CL CM CN CP CQ
    CR CS CT CU CW CX CY DA DB DD DE DG DH DI DK DL DM DO DP DR DS DW DWT DZ E1 EA EP EV FA FF FO FT FYGD
    FZ GA GB GH GHZ GL GM GN GPM GR GS H1 H2 H3 H4 H6 HA HC HCF HD HF HK HL HR HS HU HV HY HZ I IM IN JA
    JO JR JU K6 KC KE KG KH KM KT KV KVA KVAH KW LB LF LG LI LK LM LN LO LR LS LT LU LY MB MC ME MG MHZ
    MJ MK ML MM MN MO MOA MP MR NG NS NX OP OZ P P3 P4 P5 P6 P7 P8 P9 PA PC PD PER PF PH PK PL PO PP PR
    PSI PT PV PXL PY Q1 Q4 Q5 Q6 Q7 QD QS QT RA RE RL RM RO SC SF SH SI SJ SL SM SO SP SQ ST SV SY SZ T4
    TB TC TCF TE TH TI TK TL TM TO TP TR TRM TS TU TY U2 U5 UN UZ VAR VC VI VO WA WD WG WK WR X8 Y4 YD
    YR ZC""".split()
)
CODES = {
    "uom": UOM_CODES,
    "purpose": frozenset("00 01 04 05 06 07 20 CN".split()),  # 855 and 846 allow 04 (change)
    "purpose7": frozenset("00 01 05 06 07 20 CN".split()),  # 850, 856, 810
    "purpose_change": frozenset("01 04 05 06 07 20 CN".split()),  # 860
    "line_change": frozenset("AI CA CC CE CL CS CT DI NCH PC PQ QD QI RA RC RQ RZ".split()),
    "ack_type": frozenset("AC AD AE AH AK AP RD RF RJ RO".split()),
    "ack_type850": frozenset("AB AC AD AE AH AK AP NA RD RF RJ RO".split()),
    "item_status": frozenset(
        "AA AC AR BP CC DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 R7 ROS SP UM".split()
    ),
    "address_type": frozenset(
        """88 9C AG BE BK BO BOWN BT BY CB CN CQ CS CT DA DE DS DV ESIID FR FW IA MF N1 NES OB PATI PF PLCO
        POAR PODI POEN POOR PR PW RAMP RI RL RT SF SO ST TO TP TS VN WH Z7""".split()
    ),
    "location_qual": frozenset("1 10 11 15 21 33 6 9 91 92 A1 BE D K TPL UL".split()),
    "po_type": frozenset(
        "26 BH BK CF CN DS EO IM IN KC KN NP NS OS PR RE RL RO SA SD SP SS TS WH WO".split()
    ),
    "invoice_type": frozenset("CR DR PRO SELF U5".split()),
    "pack_level_type": frozenset("P T".split()),
    "receiving_condition": frozenset("01 02 03 05 07 09".split()),
    "damage_reason": frozenset("CC DL DP HD IL LS TE WC".split()),
    "qty_left_status": frozenset("BO DI IC IS RI".split()),
    "quantity_qual": frozenset(
        """01 02 12 14 20 27 29 32 33 57 70 77 78 AP APPX AQ B3 BB BQ GAV IQ OOR P70 P80 P90 PM POQ QA QAR
        QH QOH QPI QPK QV RET SZ UNA""".split()
    ),
    "reporting_code": frozenset("B C F J".split()),
    "asn_structure": frozenset("0000 0001 0004 SOTPI".split()),
    "yes_no": frozenset("N Y".split()),
    "pack_qual": frozenset("CP IN OU".split()),
    "report_type": frozenset("MB MC PS".split()),
    "date_qual": frozenset(
        """001 002 006 007 010 011 012 013 015 016 017 018 019 020 035 036 037 038 043 050 057 060 063 064
        067 068 069 071 074 076 077 079 086 087 097 100 110 118 145 146 168 171 191 196 197 201 209 220
        291 328 369 370 371 372 405 510 511 598 603 619 636 807 809 815 945 995 AA1 AA2 AAH AAL ACT APD
        BBD CAD CSD DLO EDC FCS LCID MRB ORS OTD POS SOL TPD TRM""".split()
    ),
    "part_qual": frozenset(
        """AR B8 BO BPDN CB CID DIN DPN FU IS IT IZ MG MN N5 N532 N541 PC PLU RP SK SS SZ VA VC VE ZBP
        ZEAN ZGTIN ZISBN ZUPC ZVP""".split()
    ),
}

# -- key tables ----------------------------------------------------------------------------------
# Each object lists its keys as "Name:kind" (kind omitted: a string). Kinds: n number, i integer,
# b boolean, date, time, tpid (string of 1-15 characters), #<code list>, {Object}, [Object] (array
# of objects), * (anything), [*] (array of anything).
_ITEM_IDS = (
    "LineSequenceNumber ApplicationId BuyerPartNumber VendorPartNumber ConsumerPackageCode EAN GTIN "
    "UPCCaseCode NatlDrugCode InternationalStandardBookNumber ProductID:[ProductID]"
)
_ITEM_PRODUCT = (
    "ProductSizeCode ProductSizeDescription ProductColorCode ProductColorDescription ProductMaterialCode "
    "ProductMaterialDescription ProductProcessCode ProductProcessDescription Department DepartmentDescription"
)
_ITEM_PRICE = "PurchasePriceType PurchasePrice:n PurchasePriceBasis"
_HEADER_ARRAYS = (
    "PaymentTerms:[PaymentTerms] Dates:[Dates] Contacts:[Contacts] Address:[Address] "
    "References:[References] Notes:[Notes] Taxes:[Taxes] ChargesAllowances:[ChargesAllowances] "
    "FOBRelatedInstruction:[FOBRelatedInstruction] QuantityTotals:[QuantityTotals] "
    "RegulatoryCompliances:[*] Commodity:[*]"
)
_LINE_ARRAYS = (
    "Dates:[Dates] References:[References] Notes:[Notes] PriceInformation:[PriceInformation] "
    "Address:[Address] ProductOrItemDescription:[ProductOrItemDescription] "
    "PhysicalDetails:[PhysicalDetails] Taxes:[Taxes] ChargesAllowances:[ChargesAllowances] "
    "MasterItemAttribute:[*] Measurements:[*] Commodity:[*] Subline:[*] RegulatoryCompliances:[*]"
)
_CARRIER = (
    "StatusCode CarrierTransMethodCode CarrierAlphaCode CarrierRouting EquipmentDescriptionCode "
    "CarrierEquipmentInitial CarrierEquipmentNumber EquipmentType OwnershipCode RoutingSequenceCode "
    "TransitDirectionCode TransitTime:n ServiceLevelCodes:[*] Address:[*] SealNumbers:[*]"
)
_PACK_LEVEL = (
    "Pack:{Pack} PhysicalDetails:[PhysicalDetails] MarksAndNumbersCollection:[*] PalletInformation:[*] "
    "Dates:[Dates] References:[References] Notes:[Notes] Address:[Address] Taxes:[Taxes] Packaging:[*] "
    "ChargesAllowances:[ChargesAllowances] CarrierInformation:[CarrierInformation] "
    "RegulatoryCompliances:[*] ItemLevel:[ShipmentItemLevel]"
)

_TABLES = {
    # objects shared by several document types
    "Meta": (
        "SenderUniqueID SenderCompanyName ReceiverUniqueID ReceiverCompanyName IsDropShip:b "
        "InterchangeControlNumber GroupControlIdentifier GroupControlNumber DocumentControlIdentifier "
        "DocumentControlNumber InterchangeSenderID InterchangeReceiverID GroupSenderID GroupReceiverID "
        "BatchPart BatchTotal:i BatchID Comments Validation OrderManagement Version"
    ),
    "Dates": "DateTimeQualifier:#date_qual Date:date Time:time DateTimePeriod",
    "Address": (
        "AddressTypeCode:#address_type LocationCodeQualifier:#location_qual AddressLocationNumber "
        "AddressName AddressAlternateName AddressAlternateName2 Address1 Address2 Address3 Address4 City "
        "State PostalCode Country LocationID CountrySubDivision AddressTaxIdNumber AddressTaxExemptNumber "
        "References:[*] Contacts:[*] Dates:[*]"
    ),
    "Contacts": (
        "ContactTypeCode ContactName PrimaryPhone PrimaryFax PrimaryEmail AdditionalContactDetails:[*] "
        "ContactReference"
    ),
    "References": "ReferenceQual ReferenceID Description Date:date Time:time ReferenceIDs:[*]",
    "Notes": "NoteCode Note LanguageCode",
    "PaymentTerms": (
        "TermsType TermsBasisDateCode TermsTimeRelationCode TermsDiscountPercentage:n "
        "TermsDiscountDate:date TermsDiscountDueDays:i TermsNetDueDate:date TermsNetDueDays:i "
        "TermsDiscountAmount:n TermsDeferredDueDate:date TermsDeferredAmountDue:n "
        "PercentOfInvoicePayable:n TermsDescription TermsDueDay:i PaymentMethodCode PaymentMethodID "
        "LatePaymentChargePercent:n TermsStartDate:date TermsDueDateQual AmountSubjectToDiscount:n "
        "DiscountAmountDue:n"
    ),
    "CarrierInformation": _CARRIER + " TransitTimeQual",
    "InvoiceCarrierInformation": _CARRIER + " TransitTimeQualifier",  # the 810 spells it differently
    "QuantityAndWeight": (
        "PackingMedium PackingMaterial LadingQuantity:i LadingDescription WeightQualifier Weight:n "
        "WeightUOM Volume:n VolumeUOM PalletExchangeCode"
    ),
    "Taxes": (
        "TaxTypeCode TaxAmount:n TaxPercentQual TaxPercent:n JurisdictionQual JurisdictionCode "
        "TaxExemptCode RelationshipCode PercentDollarBasis:n TaxHandlingCode TaxID AssignedID Description"
    ),
    "ChargesAllowances": (
        "AllowChrgIndicator AllowChrgCode AllowChrgAgencyCode AllowChrgAgency AllowChrgAmt:n "
        "AllowChrgPercentQual AllowChrgPercent:n PercentDollarBasis:n AllowChrgRate:n "
        "AllowChrgQtyUOM:#uom AllowChrgQty:n AllowChrgHandlingCode ReferenceIdentification "
        "AllowChrgHandlingDescription OptionNumber ExceptionNumber AllowChrgQty2:n LanguageCode "
        "CalculationSequence:i Taxes:[Taxes]"
    ),
    "FOBRelatedInstruction": (
        "FOBPayCode FOBLocationQualifier FOBLocationDescription FOBTitlePassageCode "
        "FOBTitlePassageLocation TransportationTermsType TransportationTerms RiskOfLossCode Description"
    ),
    "QuantityTotals": (
        "QuantityTotalsQualifier Quantity:n QuantityUOM:#uom WeightQualifier Weight:n WeightUOM Volume:n "
        "VolumeUOM Description"
    ),
    "ProductID": "PartNumberQual:#part_qual PartNumber",
    "PriceInformation": (
        "ChangeReasonCode EffectiveDate:date PriceTypeIDCode UnitPrice:n UnitPriceBasis "
        "UnitPriceBasisMultiplier:n Currency PriceMultiplierQual PriceMultiplier:n RebateAmount:n "
        "Quantity:n QuantityUOM:#uom MultiplePriceQuantity:n ClassOfTradeCode ConditionValue Description"
    ),
    "ProductOrItemDescription": (
        "ProductCharacteristicCode AgencyQualifierCode ProductDescriptionCode ProductDescription "
        "SurfaceLayerPositionCode SourceSubqualifier YesOrNoResponse LanguageCode"
    ),
    "PhysicalDetails": (
        "PackQualifier:#pack_qual PackValue:i PackSize:n PackUOM:#uom PackingMedium PackingMaterial "
        "WeightQualifier PackWeight:n PackWeightUOM PackVolume:n PackVolumeUOM PackLength:n PackWidth:n "
        "PackHeight:n DimensionUOM Description SurfaceLayerPositionCode AssignedID"
    ),
    "QuantitiesSchedulesLocations": (
        "QuantityQualifier:#quantity_qual TotalQty:n TotalQtyUOM:#uom QuantityDescription "
        "LocationCodeQualifier:#location_qual LocationDescription LocationQuantity:[LocationQuantity] "
        "Dates:[Dates] AssignedID LeadTimeCode LeadTimeQuantity:n LeadTimePeriodInterval LeadTimeDate:date"
    ),
    "LocationQuantity": "Location Qty:n",
    "OrderLine": (
        f"{_ITEM_IDS} OrderQty:n OrderQtyUOM:#uom BuyersCurrency SellersCurrency ExchangeRate:n "
        f"ShipDate:date ExtendedItemTotal:n Class Gender SellerDateCode NRFStandardColorAndSize:* "
        f"{_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    # 850 Order
    "Order": "Meta:{Meta} Header:{OrderDocHeader} LineItem:[OrderLineItem] Summary:{OrderSummary}",
    "OrderDocHeader": (
        "OrderHeader:{OrderHeader} CarrierInformation:[CarrierInformation] Measurements:[*] Paperwork:[*] "
        "QuantityAndWeight:[QuantityAndWeight] Packaging:[*] CarrierSpecialHandlingDetail:[*] "
        f"LeadTime:[*] MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] MonetaryAmounts:[*] "
        f"{_HEADER_ARRAYS}"
    ),
    "OrderHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber DepositorOrderNumber TsetPurposeCode:#purpose7 "
        "PrimaryPOTypeCode:#po_type PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] ReleaseNumber "
        "PurchaseOrderDate:date PurchaseOrderTime:time ContractType SalesRequirementCode "
        "AcknowledgementType:#ack_type850 InvoiceTypeCode:#invoice_type ShipCompleteCode:#yes_no "
        "BuyersCurrency SellersCurrency ExchangeRate:n Department DepartmentDescription Vendor JobNumber "
        "Division CustomerAccountNumber CustomerOrderNumber DocumentVersion DocumentRevision"
    ),
    "OrderLineItem": (
        "OrderLine:{OrderLine} Contacts:[*] Paperwork:[*] PalletInformation:[*] FloorReady:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] PaymentTerms:[*] ConditionOfSale:[*] "
        "FOBRelatedInstruction:[*] CarrierInformation:[CarrierInformation] CarrierSpecialHandlingDetail:[*] "
        f"MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] Packaging:[*] MonetaryAmounts:[*] "
        f"{_LINE_ARRAYS}"
    ),
    "OrderSummary": "TotalAmount:n TotalLineItemNumber:i Description",
    # 855 OrderAck
    "OrderAck": "Meta:{Meta} Header:{AckDocHeader} LineItem:[AckLineItem] Summary:{AckSummary}",
    "AckDocHeader": (
        "OrderHeader:{AckHeader} CarrierInformation:[CarrierInformation] MonetaryAmounts:[*] "
        f"QuantityAndWeight:[QuantityAndWeight] {_HEADER_ARRAYS}"
    ),
    "AckHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber TsetPurposeCode:#purpose PrimaryPOTypeCode:#po_type "
        "PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] PurchaseOrderDate:date PurchaseOrderTime:time "
        "ReleaseNumber AcknowledgementNumber AcknowledgementType:#ack_type ShipCompleteCode:#yes_no "
        "InternalOrderNumber InternalOrderDate:date AcknowledgementDate:date AcknowledgementTime:time "
        "BuyersCurrency SellersCurrency ExchangeRate:n Department DepartmentDescription Vendor JobNumber "
        "Division CustomerAccountNumber CustomerOrderNumber DocumentVersion DocumentRevision"
    ),
    "AckLineItem": (
        "OrderLine:{OrderLine} LineItemAcknowledgement:[LineItemAcknowledgement] FOBRelatedInstruction:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] "
        f"CarrierInformation:[CarrierInformation] {_LINE_ARRAYS}"
    ),
    "LineItemAcknowledgement": (
        "ItemStatusCode:#item_status ItemScheduleQty:n ItemScheduleUOM:#uom "
        "ItemScheduleQualifier:#date_qual ItemScheduleDate:date BuyersCurrency SellersCurrency "
        "ExchangeRate:n ExtendedItemTotal:n Class Gender IndustryCode "
        f"{_ITEM_IDS.replace(' ApplicationId', '')} {_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    "AckSummary": "TotalAmount:n TotalLineItemNumber:i",
    # 856 Shipment: the Shipment/Order/Pack/Item layout is read in depth
    "Shipment": (
        "Meta:{Meta} Header:{ShipmentDocHeader} ContainerLevel:[*] OrderLevel:[ShipmentOrderLevel] "
        "PackLevel:[*] ItemLevel:[*] Summary:{ShipmentSummary}"
    ),
    "ShipmentDocHeader": (
        "ShipmentHeader:{ShipmentHeader} CarrierInformation:[CarrierInformation] "
        "QuantityAndWeight:[QuantityAndWeight] CarrierSpecialHandlingDetail:[*] "
        + _HEADER_ARRAYS.replace("PaymentTerms:[PaymentTerms] ", "")
    ),
    "ShipmentHeader": (
        "TradingPartnerId:tpid ShipmentIdentification ShipDate:date ShipmentTime:time "
        "TsetPurposeCode:#purpose7 TsetTypeCode ShipNoticeDate:date ShipNoticeTime:time "
        "ASNStructureCode:#asn_structure BuyersCurrency SellersCurrency ExchangeRate:n StatusReasonCode "
        "BillOfLadingNumber CarrierProNumber AppointmentNumber PickupNumber RequestedPickupDate:date "
        "RequestedPickupTime:time ScheduledShipDate:date ScheduledShipTime:time "
        "CurrentScheduledDeliveryDate:date CurrentScheduledDeliveryTime:time "
        "CurrentScheduledShipDate:date CurrentScheduledShipTime:time DocumentVersion DocumentRevision"
    ),
    "ShipmentOrderLevel": (
        "OrderHeader:{ShipmentOrderHeader} QuantityAndWeight:[QuantityAndWeight] Dates:[Dates] "
        "Notes:[Notes] CarrierInformation:[CarrierInformation] References:[References] Address:[Address] "
        "Taxes:[Taxes] ChargesAllowances:[ChargesAllowances] Commodity:[*] RegulatoryCompliances:[*] "
        "PackLevel:[ShipmentPackLevel] ItemLevel:[ShipmentItemLevel] ContainerLevel:[*]"
    ),
    "ShipmentOrderHeader": (
        "DepositorOrderNumber InternalOrderNumber InternalOrderDate:date InvoiceNumber InvoiceDate:date "
        "PurchaseOrderNumber ReleaseNumber PurchaseOrderDate:date Department DepartmentDescription Vendor "
        "JobNumber Division CustomerAccountNumber CustomerOrderNumber DeliveryDate:date DeliveryTime:time"
    ),
    "ShipmentPackLevel": _PACK_LEVEL + " PackLevel:[ShipmentInnerPackLevel]",  # pallet -> cartons
    "ShipmentInnerPackLevel": _PACK_LEVEL,
    "Pack": "PackLevelType:#pack_level_type ShippingSerialID CarrierPackageID",
    "ShipmentItemLevel": (
        "ShipmentLine:{ShipmentLine} CarrierSpecialHandlingDetail:[*] "
        f"CarrierInformation:[CarrierInformation] ItemLoadInfo:[*] {_LINE_ARRAYS}"
    ),
    "ShipmentLine": (
        f"{_ITEM_IDS} OrderQty:n OrderQtyUOM:#uom ItemStatusCode:#item_status ShipQty:n ShipQtyUOM:#uom "
        "CumulativeQty:n ShipDate:date QtyLeftToReceive:n Class SellerDateCode NRFStandardColorAndSize:* "
        f"{_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    "ShipmentSummary": "TotalOrders:i TotalLineItemNumber:i",
    # 810 Invoice
    "Invoice": "Meta:{Meta} Header:{InvoiceDocHeader} LineItem:[InvoiceLineItem] Summary:{InvoiceSummary}",
    "InvoiceDocHeader": (
        f"InvoiceHeader:{{InvoiceHeader}} CarrierInformation:[InvoiceCarrierInformation] {_HEADER_ARRAYS}"
    ),
    "InvoiceHeader": (
        "TradingPartnerId:tpid InvoiceNumber InvoiceDate:date InvoiceTime:time PurchaseOrderDate:date "
        "PurchaseOrderNumber PrimaryPOTypeCode:#po_type PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] "
        "ReleaseNumber InvoiceTypeCode:#invoice_type TsetPurposeCode:#purpose7 ActionCode BuyersCurrency "
        "SellersCurrency ExchangeRate:n InternalOrderNumber InternalOrderDate:date Department "
        "DepartmentDescription Vendor JobNumber Division CustomerAccountNumber CustomerOrderNumber "
        "CarrierProNumber BillOfLadingNumber ShipDate:date ShipTime:time ShipDeliveryDate:date "
        "ShipDeliveryTime:time LanguageCode DocumentVersion DocumentRevision"
    ),
    "InvoiceLineItem": (
        "InvoiceLine:{InvoiceLine} CarrierInformation:[InvoiceCarrierInformation] "
        f"QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] {_LINE_ARRAYS}"
    ),
    "InvoiceLine": (
        f"{_ITEM_IDS} InvoiceQty:n InvoiceQtyUOM:#uom OrderQty:n OrderQtyUOM:#uom ShipQty:n "
        "ShipQtyUOM:#uom ShipDate:date QtyLeftToReceive:n QtyLeftToReceiveStatus:#qty_left_status "
        "ExtendedItemTotal:n Class SellerDateCode CashDiscount SaleOrService NRFStandardColorAndSize:* "
        f"{_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    "InvoiceSummary": (
        "TotalAmount:n TotalSalesAmount:n TotalFreightCharges:n TotalNonFreightCharges:n "
        "TotalTaxesAndCharges:n TotalTermsDiscountAmount:n TotalAllowancesAmount:n TotalCartonCount:n "
        "TotalLineItemNumber:i InvoiceAmtDueByTermsDate:n TotalChargesAmount:n SignatureIdentification "
        "SignatureName IntegrityCheckValue"
    ),
    # 944 WarehouseTransferReceiptAdvice
    "WarehouseTransferReceiptAdvice": (
        "Meta:{Meta} Header:{ReceiptDocHeader} OrderLevel:{ReceiptOrderLevel} Summary:{ReceiptSummary}"
    ),
    "ReceiptDocHeader": (
        "HeaderDetail:{HeaderDetail} Dates:[Dates] CarrierInformation:[CarrierInformation] "
        "Contacts:[Contacts] Address:[Address] References:[References] Notes:[Notes] "
        "RegulatoryCompliances:[*]"
    ),
    "HeaderDetail": (
        "TradingPartnerId:tpid WarehouseReceiptId ShipmentIdentification DepositorOrderNumber "
        "ShipmentDate:date ReportingCode:#reporting_code MasterLinkNumber LinkSequenceNumber:i "
        "QuantityOfPalletsReceived:i QuantityOfPalletsReturned:i QuantityContested:n "
        "ReceivingConditionCode:#receiving_condition UnitLoadOptionCode TemperatureLocationCode "
        "TemperatureUOM Temperature:n DocumentVersion DocumentRevision"
    ),
    "ReceiptOrderLevel": "OrderPack:[ReceiptOrderPack] LineItem:[ReceiptLineItem]",
    "ReceiptOrderPack": (
        "WarehousePack:{WarehousePack} MarksAndNumbersCollection:[*] PalletInformation:[*] "
        "References:[References] Notes:[Notes] LineItem:[ReceiptLineItem] RegulatoryCompliances:[*]"
    ),
    "WarehousePack": "AssignedNumber CarrierPackageID ShippingSerialID",
    "ReceiptLineItem": (
        "ItemDetail:{ItemDetail} DetailResponse:[DetailResponse] PhysicalDetails:[PhysicalDetails] "
        "ProductOrItemDescription:[ProductOrItemDescription] References:[References] Notes:[Notes] "
        "RegulatoryCompliances:[*]"
    ),
    "ItemDetail": (
        f"{_ITEM_IDS} ShipQty:n ShipQtyUOM:#uom WarehouseLotID WarehouseDetailAdjID UnitWeight:n Color"
    ),
    "DetailResponse": (
        "Qty:n QtyUOM:#uom ReceivingConditionCode:#receiving_condition WarehouseLotID "
        "DamageReasonCode:#damage_reason References:[References]"
    ),
    "ReceiptSummary": (
        "QtyReceived:n UnitsShipped:n QtyDamageOrOnHold:n LadingQuantityReceived:i LadingQuantity:i"
    ),
    # 860 OrderChange: the 850's objects, plus the change's sequence, date and line change codes
    "OrderChange": (
        "Meta:{Meta} Header:{OrderChangeDocHeader} LineItem:[OrderChangeLineItem] Summary:{OrderSummary}"
    ),
    "OrderChangeDocHeader": (
        "OrderHeader:{OrderChangeHeader} CarrierInformation:[CarrierInformation] Measurements:[*] "
        "Paperwork:[*] QuantityAndWeight:[QuantityAndWeight] Packaging:[*] LeadTime:[*] "
        f"MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] MonetaryAmounts:[*] {_HEADER_ARRAYS}"
    ),
    "OrderChangeHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber TsetPurposeCode:#purpose_change "
        "PrimaryPOTypeCode:#po_type PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] ReleaseNumber "
        "ChangeOrderSeqNumber PurchaseOrderDate:date POChangeDate:date ContractType "
        "AcknowledgementType:#ack_type850 ShipCompleteCode:#yes_no BuyersCurrency SellersCurrency "
        "ExchangeRate:n Department DepartmentDescription Vendor JobNumber Division CustomerAccountNumber "
        "CustomerOrderNumber DocumentVersion DocumentRevision"
    ),
    "OrderChangeLineItem": (
        "OrderLine:{OrderChangeLine} Contacts:[*] Paperwork:[*] PalletInformation:[*] FloorReady:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] PaymentTerms:[*] ConditionOfSale:[*] "
        "FOBRelatedInstruction:[*] CarrierInformation:[CarrierInformation] MarksAndNumbersCollection:[*] "
        f"RestrictionsOrConditions:[*] Packaging:[*] MonetaryAmounts:[*] {_LINE_ARRAYS}"
    ),
    "OrderChangeLine": (
        f"{_ITEM_IDS} LineChangeCode:#line_change OrderQty:n OrderQtyUOM:#uom PreviousOrderQty:n "
        "VarianceQty:n BuyersCurrency SellersCurrency ExchangeRate:n ShipDate:date ExtendedItemTotal:n "
        f"Class Gender SellerDateCode NRFStandardColorAndSize:* {_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    # 846 ItemRegistry (inventory advice)
    "ItemRegistry": "Meta:{Meta} Header:{RegistryDocHeader} Structure:[Structure] Summary:{RegistrySummary}",
    "RegistryDocHeader": (
        "HeaderReport:{HeaderReport} Dates:[Dates] Contacts:[Contacts] Address:[Address] "
        "References:[References] Notes:[Notes] RegulatoryCompliances:[*]"
    ),
    "HeaderReport": (
        "TradingPartnerId:tpid DocumentId TsetPurposeCode:#purpose ReportTypeCode:#report_type "
        "InventoryDate:date InventoryTime:time ActionCode BuyersCurrency SellersCurrency ExchangeRate:n "
        "Vendor Division Department DepartmentDescription"
    ),
    "Structure": (
        "Classification ClassificationDescription SubClassification SubClassificationDescription "
        "ProductTypes:[*] LineItem:[RegistryLineItem]"
    ),
    "RegistryLineItem": (
        "InventoryLine:{InventoryLine} PalletInformation:[*] FloorReady:[*] PriceDetails:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] CarrierInformation:[CarrierInformation] "
        "CarrierSpecialHandlingDetail:[*] HazardousInformation:[*] SpecialLabeling:[*] "
        "FOBRelatedInstruction:[*] "
        # the 846 has PriceDetails instead of PriceInformation, and a string PackValue
        + _LINE_ARRAYS.replace("PhysicalDetails:[PhysicalDetails]", "PhysicalDetails:[*]").replace(
            "PriceInformation:[PriceInformation] ", ""
        )
    ),
    "InventoryLine": (
        f"{_ITEM_IDS} ExpirationDate:date Gender MaintenanceTypeCode NRFStandardColorAndSize:* "
        f"{_ITEM_PRICE} {_ITEM_PRODUCT}"
    ),
    "RegistrySummary": "TotalAmount:n TotalLineItemNumber:i TotalQuantity:n",
}


def _keys(spec):
    keys = {}
    for token in spec.split():
        name, _sep, kind = token.partition(":")
        keys[name] = kind
    return keys


SCHEMA = {name: _keys(spec) for name, spec in _TABLES.items()}


class DocumentType:
    """One RSX document type: its root object, header object, identifier and file prefix.

    ``root`` is also the element name of the document in RSX XML, and ``batch`` the name of the
    element that holds several of them (``<Orders><Order>…</Order></Orders>``).
    """

    def __init__(self, code, root, header_key, header_object, identifier, prefix, label, batch=None):
        self.code = code
        self.root = root
        self.batch = batch or root + "s"
        self.header_key = header_key
        self.header_object = header_object
        self.identifier = identifier
        self.prefix = prefix  # file-name prefix agreed with SPS (§3.4); 944: SIM CHOICE
        self.label = label


TYPES = {
    t.code: t
    for t in (
        DocumentType("850", "Order", "OrderHeader", "OrderHeader", "PurchaseOrderNumber", "PO", "Order"),
        DocumentType("855", "OrderAck", "OrderHeader", "AckHeader", "PurchaseOrderNumber", "PR", "Order ack"),
        DocumentType(
            "856",
            "Shipment",
            "ShipmentHeader",
            "ShipmentHeader",
            "ShipmentIdentification",
            "SH",
            "Ship notice",
        ),
        DocumentType("810", "Invoice", "InvoiceHeader", "InvoiceHeader", "InvoiceNumber", "IN", "Invoice"),
        DocumentType(
            "944",
            "WarehouseTransferReceiptAdvice",
            "HeaderDetail",
            "HeaderDetail",
            "WarehouseReceiptId",
            "RC",
            "Warehouse receipt",
        ),
        DocumentType(
            "846",
            "ItemRegistry",
            "HeaderReport",
            "HeaderReport",
            "DocumentId",
            "IB",
            "Inventory advice",
            batch="ItemRegistries",
        ),
        DocumentType(
            "860",
            "OrderChange",
            "OrderHeader",
            "OrderChangeHeader",
            "PurchaseOrderNumber",
            "PC",
            "Order change",
        ),
    )
}
# An OrderHeader with one of these keys (or purpose 04) is a change order (860), not an order.
_CHANGE_HEADER_KEYS = ("ChangeOrderSeqNumber", "POChangeDate")
_ACK_HEADER_KEYS = ("AcknowledgementNumber", "AcknowledgementDate", "AcknowledgementTime")
# RSX documents are about ten levels deep; a file nested far deeper is not one (and Python's JSON
# tools stop around a thousand levels).
MAX_DEPTH = 64
# Keys whose values identify documents, lines and items: compared as they are, so no invisible
# character and no unreasonable length (RSX itself only limits TradingPartnerId).
IDENTIFIER_KEYS = frozenset(
    """TradingPartnerId PurchaseOrderNumber ReleaseNumber DepositorOrderNumber ShipmentIdentification
    WarehouseReceiptId InvoiceNumber AcknowledgementNumber DocumentId LineSequenceNumber BuyerPartNumber
    VendorPartNumber ConsumerPackageCode EAN GTIN UPCCaseCode PartNumber WarehouseLotID""".split()
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$")


# -- reading -----------------------------------------------------------------------------------
def decode(data):
    """Text of a file: UTF-8, without the byte order mark SPS samples carry."""
    if isinstance(data, bytes):
        if data.startswith(BOM):
            data = data[len(BOM) :]
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RsxError(f"not UTF-8 text ({exc})") from exc
    return data.lstrip("\ufeff")


def _no_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def parse(data):
    """The value of a file (a document or a batch of them) as RSX JSON; :class:`RsxError` when it
    is neither RSX JSON nor RSX XML.

    Strict JSON: ``NaN``, ``Infinity`` and numbers beyond a float's range are refused (Python's
    parser would accept them), and so is nesting beyond :data:`MAX_DEPTH` levels. A file whose
    text starts with ``<`` is RSX XML, read into the same JSON value (see :func:`parse_xml`).
    """
    text = decode(data)
    if is_xml(text):
        value = parse_xml(text)
    else:
        try:
            value = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
        except RecursionError:
            raise RsxError(
                f"nested too deeply to be an RSX document (more than {MAX_DEPTH} levels)"
            ) from None
        except ValueError as exc:
            raise RsxError(f"not valid JSON ({exc})") from exc
    if not isinstance(value, dict | list):
        raise RsxError("the file holds neither a document (object) nor a batch (array)")
    if _depth(value) > MAX_DEPTH:
        raise RsxError(f"nested too deeply to be an RSX document (more than {MAX_DEPTH} levels)")
    return value


# -- RSX XML ---------------------------------------------------------------------------------------
RSX_NAMESPACE = "http://www.spscommerce.com/RSX"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_xml(text):
    """True when a file's text is XML (RSX XML starts with a declaration or the root element)."""
    return text.lstrip().startswith("<")


def _xml_root(text):
    """The root element of an XML file, read safely: no DTD, no entities, no network."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise RsxError(f"not well-formed XML ({exc})") from exc
    if root.getroottree().docinfo.doctype:
        raise RsxError("an XML document type declaration (DOCTYPE) has no place in an RSX file")
    return root


def _local_name(element):
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def _xml_type(name):
    return next((t for t in TYPES.values() if name in (t.root, t.batch)), None)


def parse_xml(text):
    """The JSON value of an RSX XML file: a document (root ``<Order>``…) or a batch (``<Orders>``).

    Elements become keys; what RSX JSON holds as an array is a list even for one element,
    numbers become numbers and booleans booleans (by the key tables; a value that does not read
    as its type stays text, for :func:`validate` to report); keys the tables do not know are
    kept as they are, so that they are reported as unknown. The RSX namespace is optional.
    """
    root = _xml_root(text)
    name = _local_name(root)
    kind = _xml_type(name)
    if kind is None:
        known = ", ".join(sorted({t.root for t in TYPES.values()} | {t.batch for t in TYPES.values()}))
        raise RsxError(f"the XML root element <{name}> is not an RSX document ({known})")
    if name == kind.batch:
        return [_xml_document(child) for child in root if isinstance(child.tag, str)]
    return _xml_object(root, kind.root)


def xml_documents(text):
    """The documents of an RSX XML batch file, each as its own XML text (in its namespace)."""
    root = _xml_root(text)
    return [
        etree.tostring(child, encoding="unicode", with_tail=False)
        for child in root
        if isinstance(child.tag, str)
    ]


def _xml_document(element):
    kind = _xml_type(_local_name(element))
    return _xml_object(element, kind.root) if kind else _xml_any(element)


def _xml_object(element, name):
    children = [child for child in element if isinstance(child.tag, str)]
    if not children and (element.text or "").strip():
        return element.text  # text where RSX has an object: validate() says so
    keys = SCHEMA.get(name, {})
    groups = defaultdict(list)
    for child in children:
        groups[_local_name(child)].append(child)
    value = {}
    for key, elements in groups.items():
        kind = keys.get(key)
        items = [_xml_value(child, kind) for child in elements]
        value[key] = items if (kind or "").startswith("[") or len(items) > 1 else items[0]
    return value


def _xml_value(element, kind):
    if kind is None or kind in ("*", "[*]"):
        return _xml_any(element)
    if kind and kind[0] in "[{":
        return _xml_object(element, kind[1:-1])
    text = element.text or ""
    if kind in ("n", "i") and _NUMBER.match(text.strip()):
        number = float(text)
        if math.isfinite(number):
            return (
                int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
            )
    if kind == "b" and text.strip() in ("true", "false"):
        return text.strip() == "true"
    return text


def _xml_any(element):
    """An element the key tables do not describe: an object if it has children, else its text."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return element.text or ""
    groups = defaultdict(list)
    for child in children:
        groups[_local_name(child)].append(_xml_any(child))
    return {key: items if len(items) > 1 else items[0] for key, items in groups.items()}


def _depth(value):
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def documents(value):
    """The documents of a parsed file: a batch is a list, a single document a one-item list."""
    return list(value) if isinstance(value, list) else [value]


def detect_type(doc):
    """'850', '855', '860', '856', '810', '944', '846' or None, from the structure.

    The 855 and the 860 share ``OrderHeader`` with the 850: lines with
    ``LineItemAcknowledgement`` or a header with acknowledgement fields make an acknowledgement;
    a change sequence or date, lines with ``LineChangeCode`` or the purpose 04 (change, which an
    850 never has) make a change order.
    """
    header = doc.get("Header") if isinstance(doc, dict) else None
    if not isinstance(header, dict):
        return None
    if "OrderHeader" in header:
        return _order_header_type(header["OrderHeader"], doc.get("LineItem"))
    for code in ("856", "810", "944", "846"):
        if TYPES[code].header_key in header:
            return code
    return None


def _order_header_type(order_header, lines):
    lines = [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
    order_header = order_header if isinstance(order_header, dict) else {}
    if any("LineItemAcknowledgement" in line for line in lines) or any(
        key in order_header for key in _ACK_HEADER_KEYS
    ):
        return "855"
    if (
        any(key in order_header for key in _CHANGE_HEADER_KEYS)
        or order_header.get("TsetPurposeCode") == "04"
        or any(
            isinstance(line.get("OrderLine"), dict) and "LineChangeCode" in line["OrderLine"]
            for line in lines
        )
    ):
        return "860"
    return "850"


def header(doc, code=None):
    """The header object (``OrderHeader``, ``ShipmentHeader``…) of a document, or ``{}``."""
    code = code or detect_type(doc)
    if code is None:
        return {}
    value = doc["Header"].get(TYPES[code].header_key)
    return value if isinstance(value, dict) else {}


def identifiers(doc):
    """``(type, TradingPartnerId, identifier)``; missing parts are None."""
    code = detect_type(doc)
    if code is None:
        return None, None, None
    head = header(doc, code)
    tpid, identifier = head.get("TradingPartnerId"), head.get(TYPES[code].identifier)
    return (
        code,
        tpid if isinstance(tpid, str) and tpid else None,
        identifier if isinstance(identifier, str) and identifier else None,
    )


# -- checking ------------------------------------------------------------------------------------
def validate(doc, expected=None):
    """Problems of one document, each ``"<json path>: <problem>"``; ``[]`` when it is valid RSX 7.7.

    ``expected``: the document type the caller wants ('850'…); another type is a problem.
    """
    if not isinstance(doc, dict):
        return [f"$: expected an RSX document (object), got {_kind(doc)}"]
    code = detect_type(doc)
    if code is None:
        if not isinstance(doc.get("Header"), dict):
            return ["$.Header: required"]
        known = ", ".join(sorted({t.header_key for t in TYPES.values()}))
        return [f"$.Header: no known header object ({known})"]
    if expected and code != expected:
        return [
            f"$: expected {TYPES[expected].root} ({expected}) but the document is {TYPES[code].root} ({code})"
        ]
    kind = TYPES[code]
    problems = []
    _check_object(doc, kind.root, "$", problems)
    for required, path in (
        ("Header", "$"),
        (kind.header_key, "$.Header"),
    ):
        parent = doc if path == "$" else doc.get("Header")
        if isinstance(parent, dict) and required not in parent:
            problems.append(f"{path}.{required}: required")
    head = header(doc, code)
    for required in ("TradingPartnerId", kind.identifier):
        if isinstance(doc.get("Header"), dict) and kind.header_key in doc["Header"]:
            if required not in head:
                problems.append(f"$.Header.{kind.header_key}.{required}: required")
            elif isinstance(head[required], str) and not head[required].strip():
                problems.append(f"$.Header.{kind.header_key}.{required}: required, but empty")
    if code == "856":
        levels = [key for key in ("ContainerLevel", "OrderLevel", "PackLevel", "ItemLevel") if key in doc]
        if len(levels) > 1:
            problems.append(f"$: at most one of ContainerLevel, OrderLevel, PackLevel, ItemLevel ({levels})")
    return problems


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "an array" if isinstance(value, list) else "an object"


def _check_object(value, name, path, problems):
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object, got {_kind(value)}")
        return
    keys = SCHEMA[name]
    for key, item in value.items():
        if key not in keys:
            problems.append(f"{path}.{storable(key)}: unknown key (RSX 7.7 allows no additional properties)")
        else:
            _check_value(item, keys[key], f"{path}.{key}", problems)
            if key in IDENTIFIER_KEYS and isinstance(item, str) and not text_problem(item):
                problem = identifier_problem(item)
                if problem:
                    problems.append(f"{path}.{key}: {problem}")


def _check_value(value, kind, path, problems):
    if kind == "*":
        return
    if kind.startswith("["):
        if not isinstance(value, list):
            problems.append(f"{path}: expected an array, got {_kind(value)}")
        elif kind != "[*]":
            for index, item in enumerate(value):
                _check_object(item, kind[1:-1], f"{path}[{index}]", problems)
        return
    if kind.startswith("{"):
        _check_object(value, kind[1:-1], path, problems)
        return
    problem = _scalar_problem(value, kind)
    if problem:
        problems.append(f"{path}: {problem}")


def is_number(value):
    """A JSON number a quantity or amount can be: not a boolean, not NaN, not infinite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond a float's range
        return False


def _scalar_problem(value, kind):
    if kind == "n":
        return None if is_number(value) else f"expected a number, got {_kind(value)}"
    if kind == "i":
        return (
            None
            if is_number(value) and float(value).is_integer()
            else f"expected an integer, got {_kind(value)}"
        )
    if kind == "b":
        return None if isinstance(value, bool) else f"expected true or false, got {_kind(value)}"
    if not isinstance(value, str):
        return f"expected a string, got {_kind(value)}"
    problem = text_problem(value)
    if problem:
        return problem
    if kind == "date":
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            return f"expected a date YYYY-MM-DD, got {value!r}"
    elif kind == "time":
        if not _TIME.match(value):
            return f"expected a time HH:MM:SS, got {value!r}"
    elif kind == "tpid":
        if not 1 <= len(value) <= 15:
            return f"TradingPartnerId must have 1 to 15 characters, got {len(value)}"
    elif kind.startswith("#") and value not in CODES[kind[1:]]:
        return f"{value!r} is not an RSX 7.7 code ({kind[1:]})"
    return None


# -- what a flow reads of a document ------------------------------------------------------------
_INDEX = re.compile(r"\[\d+\]")
REFUSED_ALWAYS = ("unknown key", "required")


def generic_path(path):
    """A JSON path without its indexes: ``$.LineItem[3].OrderLine`` -> ``$.LineItem[].OrderLine``."""
    return _INDEX.sub("[]", path)


def matches(path, patterns):
    """True if ``path`` (indexes allowed) is one of ``patterns``; a pattern ending with ``*``
    stands for every path it starts (``$.Header.Address[]*``)."""
    path = generic_path(path)
    return any(path.startswith(p[:-1]) if p.endswith("*") else path == p for p in patterns)


def split_problems(problems, used):
    """``(refusals, warnings)`` of the problems :func:`validate` found.

    A problem refuses the document when it is in a field the flow reads (``used(path)``), or when
    the document is not RSX at all there: an unknown key (a misspelt field may be one the flow
    reads), a missing required field, the wrong document type. Anything else only concerns what
    the flow does not read: a warning.
    """
    refusals, warnings = [], []
    for problem in problems:
        path, _sep, message = problem.partition(": ")
        if path == "$" or message.startswith(REFUSED_ALWAYS) or used(path):
            refusals.append(problem)
        else:
            warnings.append(problem)
    return refusals, warnings


def leaf_paths(value, path="$"):
    """``path`` of every value of a document that is not an object or an array."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{index}]")
    elif value not in (None, ""):
        yield path


def field_group(path):
    """How a field not read is named in a note: the first array of objects below the document's
    top key stands for everything in it (``$.Header.CarrierInformation[0].CarrierRouting`` ->
    ``Header.CarrierInformation``), other fields by their path (``LineItem[].OrderLine.GTIN``)."""
    parts = generic_path(path).removeprefix("$.").split(".")
    for index, part in enumerate(parts[1:], start=1):
        if part.endswith("[]"):
            return ".".join(parts[:index] + [part[:-2]])
    return ".".join(parts)


def unread_fields(doc, used):
    """Field groups of ``doc`` holding a value the flow does not read (``used(path)`` is false)."""
    groups = []
    for path in leaf_paths(doc):
        if not used(path):
            group = field_group(path)
            if group not in groups:
                groups.append(group)
    return groups


# -- business checks on documents we send -------------------------------------------------------
def lines_total(doc, line_key, qty_key):
    """Sum of quantity x ``PurchasePrice`` over ``LineItem[].<line_key>``."""
    total = 0.0
    for item in doc.get("LineItem") or []:
        line = item.get(line_key) or {}
        qty, price = line.get(qty_key), line.get("PurchasePrice")
        if is_number(qty) and is_number(price):
            total += qty * price
    return round(total, 2)


def total_problems(doc, line_key, qty_key):
    """Problems with ``Summary`` totals: what a retailer's validation would reject (§6.7)."""
    summary = doc.get("Summary") or {}
    problems = []
    lines = doc.get("LineItem") or []
    if summary.get("TotalLineItemNumber") is not None and summary["TotalLineItemNumber"] != len(lines):
        problems.append(
            f"$.Summary.TotalLineItemNumber: {summary['TotalLineItemNumber']} but the document has "
            f"{len(lines)} lines"
        )
    stated = summary.get("TotalAmount")
    if is_number(stated):
        expected = lines_total(doc, line_key, qty_key)
        head = doc.get("Header") or {}
        expected += sum(tax.get("TaxAmount") or 0 for tax in head.get("Taxes") or [])
        for charge in head.get("ChargesAllowances") or []:
            amount = charge.get("AllowChrgAmt") or 0
            expected += -amount if charge.get("AllowChrgIndicator") == "A" else amount
        if abs(stated - round(expected, 2)) > 0.01:
            problems.append(
                f"$.Summary.TotalAmount: {stated} does not add up to the lines ({round(expected, 2)})"
            )
    return problems


# -- writing -------------------------------------------------------------------------------------
def dumps(doc):
    """The text we upload and keep on the audit line (UTF-8 JSON, no BOM)."""
    return json.dumps(doc, indent=2, ensure_ascii=False)


def compact(**fields):
    """The given RSX fields without the empty ones (RSX has no nulls; Odoo's empty values are False)."""
    return {
        key: value
        for key, value in fields.items()
        if value is not None
        and value is not False
        and not (isinstance(value, str | list | dict) and not value)
    }


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(code, identifier, revision):
    """Deterministic upload name ``<prefix><identifier>-<revision>.json`` (§3.4: the name starts
    with the type prefix agreed with SPS; the same name overwrites, a new name is a new file)."""
    return f"{TYPES[code].prefix}{_UNSAFE.sub('_', identifier)}-{revision}.json"
