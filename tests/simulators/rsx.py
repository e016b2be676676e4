"""RSX 7.7 JSON documents (SPS Commerce): type detection, validation and fixture builders.

Shared by the SPS simulator and the tests; no Odoo. The rules follow
``/work/shared/reference/sps-api.md`` §4 (RSX 7.7 JSON) and §5 (trading partner ids):

* a file holds one document or an array of documents (the schemas' root ``oneOf``);
* every object is ``additionalProperties: false``: an unknown key is an error, reported with
  its JSON path (``$.LineItem[1].OrderLine.Colour``);
* the header object and its two identifiers are required: ``TradingPartnerId`` (1-15 chars)
  plus ``PurchaseOrderNumber`` / ``ShipmentIdentification`` / ``InvoiceNumber`` /
  ``WarehouseReceiptId`` / ``DocumentId``;
* quantities, prices and amounts are JSON numbers; identifiers are strings (leading zeros);
* dates are ``YYYY-MM-DD``; times are ``HH:MM:SS`` with optional fraction and optional offset
  (SPS's own samples carry offset-less times, §4.1 "format-check pitfall");
* a UTF-8 BOM before the JSON is tolerated (§3.6, §6.9).

The allowed keys below were taken from the public RSX 7.7 schemas (``json-schema/v777``) for
the objects the connector reads or writes; deeper objects we do not model (``*`` / ``[*]``
below) are accepted with any content. Closed code lists are checked where listed in
``ENUMS``; other coded strings (``ReferenceQual``, ``PackingMedium``…) are only type-checked.
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

BOM = b"\xef\xbb\xbf"

# -- code lists (RSX 7.7 enums) ----------------------------------------------------------------
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


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENUMS = {
    "uom": UOM_CODES,
    # 855 and 846 allow "04" (change); 850, 856 and 810 do not.
    "purpose": frozenset("00 01 04 05 06 07 20 CN".split()),
    "purpose7": frozenset("00 01 05 06 07 20 CN".split()),
    "purpose_change": frozenset("01 04 05 06 07 20 CN".split()),  # 860
    "line_change": _codes("AI CA CC CE CL CS CT DI NCH PC PQ QD QI RA RC RQ RZ"),
    "ack_type": frozenset("AC AD AE AH AK AP RD RF RJ RO".split()),
    "ack_type850": frozenset("AB AC AD AE AH AK AP NA RD RF RJ RO".split()),
    "item_status": _codes("AA AC AR BP CC DR IA IB IC ID IE IF IH IP IQ IR IS IW R1 R2 R3 R4 R7 ROS SP UM"),
    "address_type": frozenset(
        """88 9C AG BE BK BO BOWN BT BY CB CN CQ CS CT DA DE DS DV ESIID FR FW IA MF N1 NES OB PATI PF PLCO
        POAR PODI POEN POOR PR PW RAMP RI RL RT SF SO ST TO TP TS VN WH Z7""".split()
    ),
    "location_qual": frozenset("1 10 11 15 21 33 6 9 91 92 A1 BE D K TPL UL".split()),
    "po_type": _codes("26 BH BK CF CN DS EO IM IN KC KN NP NS OS PR RE RL RO SA SD SP SS TS WH WO"),
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

# -- allowed keys per object -------------------------------------------------------------------
# "Key" is a string; "Key:n" number, ":i" integer, ":b" boolean, ":date", ":time", ":tpid"
# (string of 1-15 chars), ":<enum>" a code from ENUMS, ":{Obj}" an object, ":[Obj]" an array of
# objects, ":[*]" an array we do not look into, ":*" anything.
_IDS = (
    "LineSequenceNumber ApplicationId BuyerPartNumber VendorPartNumber ConsumerPackageCode EAN GTIN "
    "UPCCaseCode NatlDrugCode InternationalStandardBookNumber ProductID:[ProductID] "
)
_PRODUCT = (
    " ProductSizeCode ProductSizeDescription ProductColorCode ProductColorDescription ProductMaterialCode "
    "ProductMaterialDescription ProductProcessCode ProductProcessDescription Department "
    "DepartmentDescription "
)
_PRICE = "PurchasePriceType PurchasePrice:n PurchasePriceBasis "
_HEADER_ARRAYS = (
    " PaymentTerms:[PaymentTerms] Dates:[Dates] Contacts:[Contacts] Address:[Address] "
    "References:[References] "
    "Notes:[Notes] Taxes:[Taxes] ChargesAllowances:[ChargesAllowances] RegulatoryCompliances:[*] "
    "Commodity:[*]"
    " FOBRelatedInstruction:[FOBRelatedInstruction] QuantityTotals:[QuantityTotals]"
)
_LINE_ARRAYS = (
    " Dates:[Dates] References:[References] Notes:[Notes] PriceInformation:[PriceInformation] "
    "Address:[Address]"
    " ProductOrItemDescription:[ProductOrItemDescription] PhysicalDetails:[PhysicalDetails] Taxes:[Taxes]"
    " ChargesAllowances:[ChargesAllowances] MasterItemAttribute:[*] Measurements:[*] Commodity:[*] "
    "Subline:[*]"
    " RegulatoryCompliances:[*]"
)
_CARRIER = (
    "StatusCode CarrierTransMethodCode CarrierAlphaCode CarrierRouting EquipmentDescriptionCode "
    "CarrierEquipmentInitial CarrierEquipmentNumber EquipmentType OwnershipCode RoutingSequenceCode "
    "TransitDirectionCode TransitTime:n ServiceLevelCodes:[*] Address:[*] SealNumbers:[*] "
)
_PACK_LEVEL = (
    "Pack:{856.Pack} PhysicalDetails:[PhysicalDetails] MarksAndNumbersCollection:[*] PalletInformation:[*] "
    "Dates:[Dates] References:[References] Notes:[Notes] Address:[Address] Taxes:[Taxes] Packaging:[*] "
    "ChargesAllowances:[ChargesAllowances] CarrierInformation:[CarrierInformation] RegulatoryCompliances:[*] "
    "ItemLevel:[856.ItemLevel]"
)

_OBJECT_KEYS = {
    # shared by several document types (identical key sets in the 7.7 schemas)
    "Meta": (
        "SenderUniqueID SenderCompanyName ReceiverUniqueID ReceiverCompanyName IsDropShip:b "
        "InterchangeControlNumber GroupControlIdentifier GroupControlNumber DocumentControlIdentifier "
        "DocumentControlNumber InterchangeSenderID InterchangeReceiverID GroupSenderID GroupReceiverID "
        "BatchPart BatchTotal:i BatchID Comments Validation OrderManagement Version"
    ),
    "Dates": "DateTimeQualifier:date_qual Date:date Time:time DateTimePeriod",
    "Address": (
        "AddressTypeCode:address_type LocationCodeQualifier:location_qual AddressLocationNumber AddressName "
        "AddressAlternateName AddressAlternateName2 Address1 Address2 Address3 Address4 City State "
        "PostalCode "
        "Country LocationID CountrySubDivision AddressTaxIdNumber AddressTaxExemptNumber References:[*] "
        "Contacts:[*] Dates:[*]"
    ),
    "Contacts": (
        "ContactTypeCode ContactName PrimaryPhone PrimaryFax PrimaryEmail AdditionalContactDetails:[*] "
        "ContactReference"
    ),
    "References": "ReferenceQual ReferenceID Description Date:date Time:time ReferenceIDs:[*]",
    "Notes": "NoteCode Note LanguageCode",
    "PaymentTerms": (
        "TermsType TermsBasisDateCode TermsTimeRelationCode TermsDiscountPercentage:n TermsDiscountDate:date "
        "TermsDiscountDueDays:i TermsNetDueDate:date TermsNetDueDays:i TermsDiscountAmount:n "
        "TermsDeferredDueDate:date TermsDeferredAmountDue:n PercentOfInvoicePayable:n TermsDescription "
        "TermsDueDay:i PaymentMethodCode PaymentMethodID LatePaymentChargePercent:n TermsStartDate:date "
        "TermsDueDateQual AmountSubjectToDiscount:n DiscountAmountDue:n"
    ),
    "CarrierInformation": _CARRIER + "TransitTimeQual",
    "QuantityAndWeight": (
        "PackingMedium PackingMaterial LadingQuantity:i LadingDescription WeightQualifier Weight:n WeightUOM "
        "Volume:n VolumeUOM PalletExchangeCode"
    ),
    "Taxes": (
        "TaxTypeCode TaxAmount:n TaxPercentQual TaxPercent:n JurisdictionQual JurisdictionCode TaxExemptCode "
        "RelationshipCode PercentDollarBasis:n TaxHandlingCode TaxID AssignedID Description"
    ),
    "ChargesAllowances": (
        "AllowChrgIndicator AllowChrgCode AllowChrgAgencyCode AllowChrgAgency AllowChrgAmt:n "
        "AllowChrgPercentQual AllowChrgPercent:n PercentDollarBasis:n AllowChrgRate:n AllowChrgQtyUOM:uom "
        "AllowChrgQty:n AllowChrgHandlingCode ReferenceIdentification AllowChrgHandlingDescription "
        "OptionNumber ExceptionNumber AllowChrgQty2:n LanguageCode CalculationSequence:i Taxes:[Taxes]"
    ),
    "FOBRelatedInstruction": (
        "FOBPayCode FOBLocationQualifier FOBLocationDescription FOBTitlePassageCode FOBTitlePassageLocation "
        "TransportationTermsType TransportationTerms RiskOfLossCode Description"
    ),
    "QuantityTotals": (
        "QuantityTotalsQualifier Quantity:n QuantityUOM:uom WeightQualifier Weight:n WeightUOM Volume:n "
        "VolumeUOM Description"
    ),
    "ProductID": "PartNumberQual:part_qual PartNumber",
    "PriceInformation": (
        "ChangeReasonCode EffectiveDate:date PriceTypeIDCode UnitPrice:n UnitPriceBasis "
        "UnitPriceBasisMultiplier:n Currency PriceMultiplierQual PriceMultiplier:n RebateAmount:n Quantity:n "
        "QuantityUOM:uom MultiplePriceQuantity:n ClassOfTradeCode ConditionValue Description"
    ),
    "ProductOrItemDescription": (
        "ProductCharacteristicCode AgencyQualifierCode ProductDescriptionCode ProductDescription "
        "SurfaceLayerPositionCode SourceSubqualifier YesOrNoResponse LanguageCode"
    ),
    "PhysicalDetails": (
        "PackQualifier:pack_qual PackValue:i PackSize:n PackUOM:uom PackingMedium PackingMaterial "
        "WeightQualifier PackWeight:n PackWeightUOM PackVolume:n PackVolumeUOM PackLength:n PackWidth:n "
        "PackHeight:n DimensionUOM Description SurfaceLayerPositionCode AssignedID"
    ),
    "QuantitiesSchedulesLocations": (
        "QuantityQualifier:quantity_qual TotalQty:n TotalQtyUOM:uom QuantityDescription "
        "LocationCodeQualifier:location_qual LocationDescription LocationQuantity:[LocationQuantity] "
        "Dates:[Dates] AssignedID LeadTimeCode LeadTimeQuantity:n LeadTimePeriodInterval LeadTimeDate:date"
    ),
    "LocationQuantity": "Location Qty:n",
    "OrderLine": (
        _IDS + "OrderQty:n OrderQtyUOM:uom BuyersCurrency SellersCurrency ExchangeRate:n ShipDate:date "
        "ExtendedItemTotal:n Class Gender SellerDateCode NRFStandardColorAndSize:* " + _PRICE + _PRODUCT
    ),
    # 850 Order
    "850": "Meta:{Meta} Header:{850.Header} LineItem:[850.LineItem] Summary:{850.Summary}",
    "850.Header": (
        "OrderHeader:{850.OrderHeader} CarrierInformation:[CarrierInformation] Measurements:[*] "
        "Paperwork:[*] "
        "QuantityAndWeight:[QuantityAndWeight] Packaging:[*] CarrierSpecialHandlingDetail:[*] LeadTime:[*] "
        "MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] MonetaryAmounts:[*]" + _HEADER_ARRAYS
    ),
    "850.OrderHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber DepositorOrderNumber TsetPurposeCode:purpose7 "
        "PrimaryPOTypeCode:po_type PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] ReleaseNumber "
        "PurchaseOrderDate:date PurchaseOrderTime:time ContractType SalesRequirementCode "
        "AcknowledgementType:ack_type850 InvoiceTypeCode:invoice_type ShipCompleteCode:yes_no BuyersCurrency "
        "SellersCurrency ExchangeRate:n Department DepartmentDescription Vendor JobNumber Division "
        "CustomerAccountNumber CustomerOrderNumber DocumentVersion DocumentRevision"
    ),
    "850.LineItem": (
        "OrderLine:{OrderLine} Contacts:[*] Paperwork:[*] PalletInformation:[*] FloorReady:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] PaymentTerms:[*] ConditionOfSale:[*] "
        "FOBRelatedInstruction:[*] CarrierInformation:[CarrierInformation] CarrierSpecialHandlingDetail:[*] "
        "MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] Packaging:[*] MonetaryAmounts:[*]"
        + _LINE_ARRAYS
    ),
    "850.Summary": "TotalAmount:n TotalLineItemNumber:i Description",
    # 860 OrderChange: the 850's objects, with the change's sequence and date and line change codes
    "860": "Meta:{Meta} Header:{860.Header} LineItem:[860.LineItem] Summary:{850.Summary}",
    "860.Header": (
        "OrderHeader:{860.OrderHeader} CarrierInformation:[CarrierInformation] Measurements:[*] "
        "Paperwork:[*] QuantityAndWeight:[QuantityAndWeight] Packaging:[*] LeadTime:[*] "
        "MarksAndNumbersCollection:[*] RestrictionsOrConditions:[*] MonetaryAmounts:[*]" + _HEADER_ARRAYS
    ),
    "860.OrderHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber TsetPurposeCode:purpose_change PrimaryPOTypeCode:po_type "
        "PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] ReleaseNumber ChangeOrderSeqNumber "
        "PurchaseOrderDate:date POChangeDate:date ContractType AcknowledgementType:ack_type850 "
        "ShipCompleteCode:yes_no BuyersCurrency SellersCurrency ExchangeRate:n Department "
        "DepartmentDescription Vendor JobNumber Division CustomerAccountNumber CustomerOrderNumber "
        "DocumentVersion DocumentRevision"
    ),
    "860.LineItem": (
        "OrderLine:{860.OrderLine} Contacts:[*] Paperwork:[*] PalletInformation:[*] FloorReady:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] PaymentTerms:[*] ConditionOfSale:[*] "
        "FOBRelatedInstruction:[*] CarrierInformation:[CarrierInformation] MarksAndNumbersCollection:[*] "
        "RestrictionsOrConditions:[*] Packaging:[*] MonetaryAmounts:[*]" + _LINE_ARRAYS
    ),
    "860.OrderLine": (
        _IDS + "LineChangeCode:line_change OrderQty:n OrderQtyUOM:uom PreviousOrderQty:n VarianceQty:n "
        "BuyersCurrency SellersCurrency ExchangeRate:n ShipDate:date ExtendedItemTotal:n Class Gender "
        "SellerDateCode NRFStandardColorAndSize:* " + _PRICE + _PRODUCT
    ),
    # 855 OrderAck
    "855": "Meta:{Meta} Header:{855.Header} LineItem:[855.LineItem] Summary:{855.Summary}",
    "855.Header": (
        "OrderHeader:{855.OrderHeader} CarrierInformation:[CarrierInformation] MonetaryAmounts:[*] "
        "QuantityAndWeight:[QuantityAndWeight]" + _HEADER_ARRAYS
    ),
    "855.OrderHeader": (
        "TradingPartnerId:tpid PurchaseOrderNumber TsetPurposeCode:purpose PrimaryPOTypeCode:po_type "
        "PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] PurchaseOrderDate:date PurchaseOrderTime:time "
        "ReleaseNumber AcknowledgementNumber AcknowledgementType:ack_type ShipCompleteCode:yes_no "
        "InternalOrderNumber InternalOrderDate:date AcknowledgementDate:date AcknowledgementTime:time "
        "BuyersCurrency SellersCurrency ExchangeRate:n Department DepartmentDescription Vendor JobNumber "
        "Division CustomerAccountNumber CustomerOrderNumber DocumentVersion DocumentRevision"
    ),
    "855.LineItem": (
        "OrderLine:{OrderLine} LineItemAcknowledgement:[LineItemAcknowledgement] FOBRelatedInstruction:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] CarrierInformation:[CarrierInformation]"
        + _LINE_ARRAYS
    ),
    "LineItemAcknowledgement": (
        "ItemStatusCode:item_status ItemScheduleQty:n ItemScheduleUOM:uom ItemScheduleQualifier:date_qual "
        "ItemScheduleDate:date BuyersCurrency SellersCurrency ExchangeRate:n ExtendedItemTotal:n Class "
        "Gender "
        "IndustryCode " + _IDS.replace(" ApplicationId", "") + _PRICE + _PRODUCT
    ),
    "855.Summary": "TotalAmount:n TotalLineItemNumber:i",
    # 856 Shipment; only the usual Shipment/Order/Pack/Item layout is modelled in depth
    "856": (
        "Meta:{Meta} Header:{856.Header} ContainerLevel:[*] OrderLevel:[856.OrderLevel] PackLevel:[*] "
        "ItemLevel:[*] Summary:{856.Summary}"
    ),
    "856.Header": (
        "ShipmentHeader:{856.ShipmentHeader} CarrierInformation:[CarrierInformation] "
        "QuantityAndWeight:[QuantityAndWeight] CarrierSpecialHandlingDetail:[*]" + _HEADER_ARRAYS
    ).replace(" PaymentTerms:[PaymentTerms]", ""),
    "856.ShipmentHeader": (
        "TradingPartnerId:tpid ShipmentIdentification ShipDate:date ShipmentTime:time "
        "TsetPurposeCode:purpose7 "
        "TsetTypeCode ShipNoticeDate:date ShipNoticeTime:time ASNStructureCode:asn_structure BuyersCurrency "
        "SellersCurrency ExchangeRate:n StatusReasonCode BillOfLadingNumber CarrierProNumber "
        "AppointmentNumber "
        "PickupNumber RequestedPickupDate:date RequestedPickupTime:time ScheduledShipDate:date "
        "ScheduledShipTime:time CurrentScheduledDeliveryDate:date CurrentScheduledDeliveryTime:time "
        "CurrentScheduledShipDate:date CurrentScheduledShipTime:time DocumentVersion DocumentRevision"
    ),
    "856.OrderLevel": (
        "OrderHeader:{856.OrderHeader} QuantityAndWeight:[QuantityAndWeight] Dates:[Dates] Notes:[Notes] "
        "CarrierInformation:[CarrierInformation] References:[References] Address:[Address] Taxes:[Taxes] "
        "ChargesAllowances:[ChargesAllowances] Commodity:[*] RegulatoryCompliances:[*] "
        "PackLevel:[856.PackLevel] ItemLevel:[856.ItemLevel] ContainerLevel:[*]"
    ),
    "856.OrderHeader": (
        "DepositorOrderNumber InternalOrderNumber InternalOrderDate:date InvoiceNumber InvoiceDate:date "
        "PurchaseOrderNumber ReleaseNumber PurchaseOrderDate:date Department DepartmentDescription Vendor "
        "JobNumber Division CustomerAccountNumber CustomerOrderNumber DeliveryDate:date DeliveryTime:time"
    ),
    "856.PackLevel": _PACK_LEVEL + " PackLevel:[856.InnerPackLevel]",  # tare (pallet) -> cartons
    "856.InnerPackLevel": _PACK_LEVEL,
    "856.Pack": "PackLevelType:pack_level_type ShippingSerialID CarrierPackageID",
    "856.ItemLevel": (
        "ShipmentLine:{ShipmentLine} CarrierSpecialHandlingDetail:[*] "
        "CarrierInformation:[CarrierInformation] "
        "ItemLoadInfo:[*]" + _LINE_ARRAYS
    ),
    "ShipmentLine": (
        _IDS + "OrderQty:n OrderQtyUOM:uom ItemStatusCode:item_status ShipQty:n ShipQtyUOM:uom "
        "CumulativeQty:n ShipDate:date QtyLeftToReceive:n Class SellerDateCode NRFStandardColorAndSize:* "
        + _PRICE
        + _PRODUCT
    ),
    "856.Summary": "TotalOrders:i TotalLineItemNumber:i",
    # 810 Invoice
    "810": "Meta:{Meta} Header:{810.Header} LineItem:[810.LineItem] Summary:{810.Summary}",
    "810.Header": (
        "InvoiceHeader:{810.InvoiceHeader} CarrierInformation:[810.CarrierInformation]" + _HEADER_ARRAYS
    ),
    "810.CarrierInformation": _CARRIER + "TransitTimeQualifier",  # sic: 810 differs from the others
    "810.InvoiceHeader": (
        "TradingPartnerId:tpid InvoiceNumber InvoiceDate:date InvoiceTime:time PurchaseOrderDate:date "
        "PurchaseOrderNumber PrimaryPOTypeCode:po_type PrimaryPOTypeDescription AdditionalPOTypeCodes:[*] "
        "ReleaseNumber InvoiceTypeCode:invoice_type TsetPurposeCode:purpose7 ActionCode BuyersCurrency "
        "SellersCurrency ExchangeRate:n InternalOrderNumber InternalOrderDate:date Department "
        "DepartmentDescription Vendor JobNumber Division CustomerAccountNumber CustomerOrderNumber "
        "CarrierProNumber BillOfLadingNumber ShipDate:date ShipTime:time ShipDeliveryDate:date "
        "ShipDeliveryTime:time LanguageCode DocumentVersion DocumentRevision"
    ),
    "810.LineItem": (
        "InvoiceLine:{InvoiceLine} CarrierInformation:[810.CarrierInformation] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations]" + _LINE_ARRAYS
    ),
    "InvoiceLine": (
        _IDS + "InvoiceQty:n InvoiceQtyUOM:uom OrderQty:n OrderQtyUOM:uom ShipQty:n ShipQtyUOM:uom "
        "ShipDate:date QtyLeftToReceive:n QtyLeftToReceiveStatus:qty_left_status ExtendedItemTotal:n Class "
        "SellerDateCode CashDiscount SaleOrService NRFStandardColorAndSize:* " + _PRICE + _PRODUCT
    ),
    "810.Summary": (
        "TotalAmount:n TotalSalesAmount:n TotalFreightCharges:n TotalNonFreightCharges:n "
        "TotalTaxesAndCharges:n "
        "TotalTermsDiscountAmount:n TotalAllowancesAmount:n TotalCartonCount:n TotalLineItemNumber:i "
        "InvoiceAmtDueByTermsDate:n TotalChargesAmount:n SignatureIdentification SignatureName "
        "IntegrityCheckValue"
    ),
    # 944 WarehouseTransferReceiptAdvice
    "944": "Meta:{Meta} Header:{944.Header} OrderLevel:{944.OrderLevel} Summary:{944.Summary}",
    "944.Header": (
        "HeaderDetail:{944.HeaderDetail} Dates:[Dates] CarrierInformation:[CarrierInformation] "
        "Contacts:[Contacts] Address:[Address] References:[References] Notes:[Notes] "
        "RegulatoryCompliances:[*]"
    ),
    "944.HeaderDetail": (
        "TradingPartnerId:tpid WarehouseReceiptId ShipmentIdentification DepositorOrderNumber "
        "ShipmentDate:date ReportingCode:reporting_code MasterLinkNumber LinkSequenceNumber:i "
        "QuantityOfPalletsReceived:i QuantityOfPalletsReturned:i QuantityContested:n "
        "ReceivingConditionCode:receiving_condition UnitLoadOptionCode TemperatureLocationCode "
        "TemperatureUOM Temperature:n DocumentVersion DocumentRevision"
    ),
    "944.OrderLevel": "OrderPack:[944.OrderPack] LineItem:[944.LineItem]",
    "944.OrderPack": (
        "WarehousePack:{944.WarehousePack} MarksAndNumbersCollection:[*] PalletInformation:[*] "
        "References:[References] Notes:[Notes] LineItem:[944.LineItem] RegulatoryCompliances:[*]"
    ),
    "944.WarehousePack": "AssignedNumber CarrierPackageID ShippingSerialID",
    "944.LineItem": (
        "ItemDetail:{944.ItemDetail} DetailResponse:[944.DetailResponse] PhysicalDetails:[PhysicalDetails] "
        "ProductOrItemDescription:[ProductOrItemDescription] References:[References] Notes:[Notes] "
        "RegulatoryCompliances:[*]"
    ),
    "944.ItemDetail": (
        _IDS + "ShipQty:n ShipQtyUOM:uom WarehouseLotID WarehouseDetailAdjID UnitWeight:n Color"
    ),
    "944.DetailResponse": (
        "Qty:n QtyUOM:uom ReceivingConditionCode:receiving_condition WarehouseLotID "
        "DamageReasonCode:damage_reason References:[References]"
    ),
    "944.Summary": (
        "QtyReceived:n UnitsShipped:n QtyDamageOrOnHold:n LadingQuantityReceived:i LadingQuantity:i"
    ),
    # 846 ItemRegistry (inventory advice)
    "846": "Meta:{Meta} Header:{846.Header} Structure:[846.Structure] Summary:{846.Summary}",
    "846.Header": (
        "HeaderReport:{846.HeaderReport} Dates:[Dates] Contacts:[Contacts] Address:[Address] "
        "References:[References] Notes:[Notes] RegulatoryCompliances:[*]"
    ),
    "846.HeaderReport": (
        "TradingPartnerId:tpid DocumentId TsetPurposeCode:purpose ReportTypeCode:report_type "
        "InventoryDate:date InventoryTime:time ActionCode BuyersCurrency SellersCurrency ExchangeRate:n "
        "Vendor Division Department DepartmentDescription"
    ),
    "846.Structure": (
        "Classification ClassificationDescription SubClassification SubClassificationDescription "
        "ProductTypes:[*] LineItem:[846.LineItem]"
    ),
    "846.LineItem": (
        "InventoryLine:{InventoryLine} PalletInformation:[*] FloorReady:[*] PriceDetails:[*] "
        "QuantitiesSchedulesLocations:[QuantitiesSchedulesLocations] CarrierInformation:[CarrierInformation] "
        "CarrierSpecialHandlingDetail:[*] HazardousInformation:[*] SpecialLabeling:[*] "
        "FOBRelatedInstruction:[*]"
        # 846 has PriceDetails instead of PriceInformation, and a string PackValue in PhysicalDetails
        + _LINE_ARRAYS.replace("PhysicalDetails:[PhysicalDetails]", "PhysicalDetails:[*]").replace(
            " PriceInformation:[PriceInformation]", ""
        )
    ),
    "InventoryLine": (
        _IDS + "ExpirationDate:date Gender MaintenanceTypeCode NRFStandardColorAndSize:* " + _PRICE + _PRODUCT
    ),
    "846.Summary": "TotalAmount:n TotalLineItemNumber:i TotalQuantity:n",
}


def _parse_keys(spec: str) -> dict[str, str]:
    keys = {}
    for token in spec.split():
        name, _, kind = token.partition(":")
        keys[name] = kind
    return keys


OBJECTS: dict[str, dict[str, str]] = {name: _parse_keys(spec) for name, spec in _OBJECT_KEYS.items()}

# The header object and the document identifier of each type (§4.3-§4.8, §5).
HEADER_KEYS = {
    "850": ("OrderHeader", "PurchaseOrderNumber"),
    "855": ("OrderHeader", "PurchaseOrderNumber"),
    "856": ("ShipmentHeader", "ShipmentIdentification"),
    "810": ("InvoiceHeader", "InvoiceNumber"),
    "944": ("HeaderDetail", "WarehouseReceiptId"),
    "846": ("HeaderReport", "DocumentId"),
    "860": ("OrderHeader", "PurchaseOrderNumber"),
}
REQUIRED = {"846.Structure": ("LineItem",)}
for _type, (_header, _identifier) in HEADER_KEYS.items():
    REQUIRED[_type] = ("Header",)
    REQUIRED[f"{_type}.Header"] = (_header,)
    REQUIRED[f"{_type}.{_header}"] = ("TradingPartnerId", _identifier)
DOCUMENT_NAMES = {
    "850": "Order",
    "855": "OrderAck",
    "856": "Shipment",
    "810": "Invoice",
    "944": "WarehouseTransferReceiptAdvice",
    "846": "ItemRegistry",
    "860": "OrderChange",
}
# The element that holds several documents of a type in an RSX XML batch file
BATCH_NAMES = {doc_type: name + "s" for doc_type, name in DOCUMENT_NAMES.items()} | {"846": "ItemRegistries"}
RSX_NAMESPACE = "http://www.spscommerce.com/RSX"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$")


# -- parsing and detection ---------------------------------------------------------------------
def parse(data: bytes | str):
    """JSON from raw file bytes, tolerating a UTF-8 BOM; ``ValueError`` if it is not JSON."""
    if isinstance(data, bytes):
        if data.startswith(BOM):
            data = data[len(BOM) :]
        data = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return json.loads(data.lstrip("\ufeff"))


def dumps(doc, bom: bool = False) -> bytes:
    """File bytes for a document (or batch), optionally with the BOM SPS samples carry."""
    data = json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")
    return BOM + data if bom else data


def to_xml(doc, bom: bool = False) -> bytes:
    """RSX XML of a document (root ``<Order>``…) or a batch (``<Orders>``), in the RSX namespace:
    keys become elements, arrays repeated elements, booleans ``true``/``false``."""
    doc_type = detect_type(doc[0] if isinstance(doc, list) else doc)
    if isinstance(doc, list):
        root = ET.Element(BATCH_NAMES[doc_type], xmlns=RSX_NAMESPACE)
        for item in doc:
            _xml_fill(ET.SubElement(root, DOCUMENT_NAMES[doc_type]), item)
    else:
        root = ET.Element(DOCUMENT_NAMES[doc_type], xmlns=RSX_NAMESPACE)
        _xml_fill(root, doc)
    ET.indent(root)
    data = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return BOM + data if bom else data


def _xml_fill(element, value):
    if isinstance(value, dict):
        for key, item in value.items():
            for entry in item if isinstance(item, list) else [item]:
                _xml_fill(ET.SubElement(element, key), entry)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def detect_type(doc) -> str | None:
    """``"850"``, ``"855"``, ``"856"``, ``"810"``, ``"944"``, ``"846"`` or None, from the structure.

    An order with ``LineItemAcknowledgement`` lines, or whose ``OrderHeader`` carries keys only
    the 855 schema allows (``AcknowledgementNumber``/``Date``/``Time``), is an 855 (an ``AK``
    acknowledgement may have no lines). A batch has a type if all its documents share it.
    """
    if isinstance(doc, list):
        types = {detect_type(item) for item in doc}
        return types.pop() if len(types) == 1 else None
    header = doc.get("Header") if isinstance(doc, dict) else None
    if not isinstance(header, dict):
        return None
    if "OrderHeader" in header:
        lines = doc.get("LineItem")
        if isinstance(lines, list) and any("LineItemAcknowledgement" in (li or {}) for li in lines):
            return "855"
        order_header = header["OrderHeader"]
        ack_keys = ("AcknowledgementNumber", "AcknowledgementDate", "AcknowledgementTime")
        if isinstance(order_header, dict) and any(key in order_header for key in ack_keys):
            return "855"
        change_keys = ("ChangeOrderSeqNumber", "POChangeDate")
        if isinstance(order_header, dict) and any(key in order_header for key in change_keys):
            return "860"
        return "850"
    for key, doc_type in (
        ("ShipmentHeader", "856"),
        ("InvoiceHeader", "810"),
        ("HeaderDetail", "944"),
        ("HeaderReport", "846"),
    ):
        if key in header:
            return doc_type
    return None


def header_object(doc) -> dict:
    """The document's header object (``OrderHeader``, ``InvoiceHeader``…), or ``{}``."""
    doc_type = detect_type(doc)
    if doc_type is None or isinstance(doc, list):
        return {}
    value = doc["Header"].get(HEADER_KEYS[doc_type][0])
    return value if isinstance(value, dict) else {}


def identifiers(doc) -> tuple[str | None, str | None, str | None]:
    """``(type, TradingPartnerId, document identifier)``; parts missing are None."""
    doc_type = detect_type(doc)
    if doc_type is None or isinstance(doc, list):
        return doc_type, None, None
    header = header_object(doc)
    return doc_type, header.get("TradingPartnerId"), header.get(HEADER_KEYS[doc_type][1])


# -- validation --------------------------------------------------------------------------------
def validate(doc) -> list[str]:
    """Errors (``"<json path>: <problem>"``) for one document or a batch; ``[]`` when valid.

    ``doc`` may be parsed JSON or raw bytes/str (a BOM is tolerated).
    """
    if isinstance(doc, bytes | str):
        try:
            doc = parse(doc)
        except ValueError as exc:
            return [f"$: not valid JSON ({exc})"]
    if isinstance(doc, list):
        if not doc:
            return ["$: empty batch (an array needs at least one document)"]
        errors = []
        for index, item in enumerate(doc):
            errors.extend(_validate_document(item, f"$[{index}]"))
        return errors
    return _validate_document(doc, "$")


def _validate_document(doc, path: str) -> list[str]:
    if not isinstance(doc, dict):
        return [f"{path}: expected an RSX document object, got {_kind(doc)}"]
    doc_type = detect_type(doc)
    if doc_type is None:
        if not isinstance(doc.get("Header"), dict):
            return [f"{path}.Header: required"]
        known = ", ".join(header for header, _ in HEADER_KEYS.values())
        return [f"{path}.Header: no known header object ({known})"]
    errors: list[str] = []
    _check_object(doc, doc_type, path, errors)
    levels = [key for key in ("ContainerLevel", "OrderLevel", "PackLevel", "ItemLevel") if key in doc]
    if doc_type == "856" and len(levels) > 1:
        errors.append(f"{path}: at most one of ContainerLevel, OrderLevel, PackLevel, ItemLevel ({levels})")
    return errors


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    return "array" if isinstance(value, list) else "object"


def _check_object(value, name: str, path: str, errors: list[str]):
    if not isinstance(value, dict):
        errors.append(f"{path}: expected an object, got {_kind(value)}")
        return
    keys = OBJECTS[name]
    for required in REQUIRED.get(name, ()):
        if required not in value:
            errors.append(f"{path}.{required}: required")
    for key, item in value.items():
        if key not in keys:
            errors.append(f"{path}.{key}: unknown key (additionalProperties: false)")
        else:
            _check_value(item, keys[key], f"{path}.{key}", errors)


def _check_value(value, kind: str, path: str, errors: list[str]):
    if kind == "*":
        return
    if kind.startswith("["):
        if not isinstance(value, list):
            errors.append(f"{path}: expected an array, got {_kind(value)}")
        elif kind != "[*]":
            for index, item in enumerate(value):
                _check_object(item, kind[1:-1], f"{path}[{index}]", errors)
        return
    if kind.startswith("{"):
        _check_object(value, kind[1:-1], path, errors)
        return
    problem = _scalar_problem(value, kind)
    if problem:
        errors.append(f"{path}: {problem}")


def _scalar_problem(value, kind: str) -> str | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "n":
        return None if is_number else f"expected a number, got {_kind(value)}"
    if kind == "i":
        return None if is_number and float(value).is_integer() else f"expected an integer, got {_kind(value)}"
    if kind == "b":
        return None if isinstance(value, bool) else f"expected a boolean, got {_kind(value)}"
    if not isinstance(value, str):
        return f"expected a string, got {_kind(value)}"
    if kind == "date":
        try:
            date.fromisoformat(value) if _DATE_RE.match(value) else date.fromisoformat("invalid")
        except ValueError:
            return f"expected a date YYYY-MM-DD, got {value!r}"
    elif kind == "time":
        if not _TIME_RE.match(value):
            return f"expected a time HH:MM:SS[.fff][offset], got {value!r}"
    elif kind == "tpid":
        if not 1 <= len(value) <= 15:
            return f"TradingPartnerId must be 1-15 characters, got {len(value)}"
    elif kind and value not in ENUMS[kind]:
        return f"{value!r} is not an allowed code ({kind})"
    return None


# -- business helpers --------------------------------------------------------------------------
def lines_total(doc) -> float:
    """Sum of quantity x price over the lines of an 850, 855 or 810."""
    is_invoice = detect_type(doc) == "810"
    line_key, qty_key = ("InvoiceLine", "InvoiceQty") if is_invoice else ("OrderLine", "OrderQty")
    total = 0.0
    for item in doc.get("LineItem") or []:
        line = item.get(line_key) or {}
        qty, price = line.get(qty_key), line.get("PurchasePrice")
        if _is_number(qty) and _is_number(price):
            total += qty * price
    return round(total, 2)


def expected_total(doc) -> float:
    """Lines plus header taxes and charges, minus allowances (what ``Summary.TotalAmount`` should be)."""
    total = lines_total(doc)
    header = doc.get("Header") or {}
    for tax in header.get("Taxes") or []:
        total += tax.get("TaxAmount") or 0
    for charge in header.get("ChargesAllowances") or []:
        amount = charge.get("AllowChrgAmt") or 0
        total += -amount if charge.get("AllowChrgIndicator") == "A" else amount
    return round(total, 2)


def total_mismatch(doc) -> str | None:
    """A message when ``Summary.TotalAmount`` is present and differs from the lines by more than 0.01."""
    stated = (doc.get("Summary") or {}).get("TotalAmount")
    if not _is_number(stated):
        return None
    expected = expected_total(doc)
    if abs(stated - expected) > 0.01:
        return f"Summary.TotalAmount {stated} does not match the lines ({expected})"
    return None


def shipment_lines(doc) -> list[tuple[str | None, dict]]:
    """``(PurchaseOrderNumber, ShipmentLine)`` for every item of an 856 (Order/Pack/Item layout)."""
    found = []

    def walk_items(po_number, items):
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("ShipmentLine"), dict):
                found.append((po_number, item["ShipmentLine"]))

    def walk_packs(po_number, packs):
        for pack in packs or []:
            if isinstance(pack, dict):
                walk_items(po_number, pack.get("ItemLevel"))
                walk_packs(po_number, pack.get("PackLevel"))

    for order_level in doc.get("OrderLevel") or []:
        po_number = (order_level.get("OrderHeader") or {}).get("PurchaseOrderNumber")
        walk_items(po_number, order_level.get("ItemLevel"))
        walk_packs(po_number, order_level.get("PackLevel"))
    return found


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def sscc_check_digit(digits17: str) -> str:
    """GS1 mod-10 check digit for the 17 data digits of an SSCC."""
    odd = sum(int(d) for d in digits17[-1::-2])  # rightmost digit and every second one weigh 3
    even = sum(int(d) for d in digits17[-2::-2])
    return str((10 - (odd * 3 + even) % 10) % 10)


def sscc(serial: int, company_prefix: str = "0123456", extension: str = "0") -> str:
    """20-digit ``ShippingSerialID``: AI ``00`` + extension + GS1 prefix + serial + check digit (§6.8)."""
    body = f"{extension}{company_prefix}{serial:0{16 - len(company_prefix)}d}"
    return "00" + body + sscc_check_digit(body)


def is_valid_sscc(value) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 20
        and value.isdigit()
        and value.startswith("00")
        and sscc_check_digit(value[2:19]) == value[19]
    )


# -- fixture builders --------------------------------------------------------------------------
# Lines are plain dicts with snake_case keys: seq (default: position), buyer_part, vendor_part, upc,
# qty, uom (default EA), price, description, pack (eaches per case), locations ({store: qty}).
def _compact(**fields) -> dict:
    """The given RSX fields, without the ones left empty."""
    return {key: value for key, value in fields.items() if value is not None and value != []}


def address(type_code, name=None, address1=None, city=None, state=None, postal_code=None, country="US", *,
            location=None, location_qualifier="92", address2=None) -> dict:  # fmt: skip
    return _compact(
        AddressTypeCode=type_code,
        LocationCodeQualifier=location_qualifier if location else None,
        AddressLocationNumber=location,
        AddressName=name,
        Address1=address1,
        Address2=address2,
        City=city,
        State=state,
        PostalCode=postal_code,
        Country=country if address1 or city else None,
    )


def _ids(line: dict, index: int) -> dict:
    return _compact(
        LineSequenceNumber=str(line.get("seq") or index + 1),
        BuyerPartNumber=line.get("buyer_part"),
        VendorPartNumber=line.get("vendor_part"),
        ConsumerPackageCode=line.get("upc"),
    )


def _order_line(line: dict, index: int) -> dict:
    uom = line.get("uom", "EA")
    return _ids(line, index) | _compact(
        OrderQty=line.get("qty"), OrderQtyUOM=uom, PurchasePrice=line.get("price")
    )


def _line_extras(line: dict) -> dict:
    extras = {}
    if line.get("pack"):
        extras["PhysicalDetails"] = [
            {"PackQualifier": "OU", "PackValue": line["pack"], "PackSize": 1, "PackUOM": "EA"}
        ]
    if line.get("description"):
        extras["ProductOrItemDescription"] = [
            {"ProductCharacteristicCode": "08", "ProductDescription": line["description"]}
        ]
    if line.get("charges"):  # RSX ChargesAllowances entries of the line
        extras["ChargesAllowances"] = list(line["charges"])
    if line.get("taxes"):  # RSX Taxes entries of the line
        extras["Taxes"] = list(line["taxes"])
    if line.get("locations"):  # multi-store / cross-dock split (§4.3)
        split = [{"Location": location, "Qty": qty} for location, qty in line["locations"].items()]
        total = sum(line["locations"].values())
        extras["QuantitiesSchedulesLocations"] = [
            {
                "QuantityQualifier": "01",
                "TotalQty": total,
                "TotalQtyUOM": line.get("uom", "EA"),
                "LocationQuantity": split,
            }
        ]
    return extras


def _lines_sum(lines) -> float:
    return round(sum((line.get("qty") or 0) * (line.get("price") or 0) for line in lines), 2)


def charge(indicator, code, amount=None, *, percent=None, description=None, handling="02") -> dict:
    """An RSX ``ChargesAllowances`` entry: ``indicator`` A (allowance) or C (charge)."""
    return _compact(
        AllowChrgIndicator=indicator,
        AllowChrgCode=code,
        AllowChrgAmt=amount,
        AllowChrgPercentQual="1" if percent is not None else None,
        AllowChrgPercent=percent,
        AllowChrgHandlingCode=handling,
        AllowChrgHandlingDescription=description,
    )


def tax(type_code, amount=None, percent=None) -> dict:
    """An RSX ``Taxes`` entry (e.g. ``tax("ST", 23.45, 7.25)``)."""
    return _compact(
        TaxTypeCode=type_code,
        TaxAmount=amount,
        TaxPercentQual="4" if percent is not None else None,
        TaxPercent=percent,
    )


def _charges_total(entries, base) -> float:
    total = 0.0
    for entry in entries or []:
        amount = entry.get("AllowChrgAmt")
        if amount is None and entry.get("AllowChrgPercent") is not None:
            amount = round(base * entry["AllowChrgPercent"] / 100, 2)
        total += -(amount or 0) if entry.get("AllowChrgIndicator") == "A" else (amount or 0)
    return total


def document_total(lines, charges=(), taxes=()) -> float:
    """What ``Summary.TotalAmount`` of an order with these builder lines, header charges and taxes is:
    the lines, their own charges and taxes, the header's charges (a percentage of the lines) and
    taxes."""
    total = 0.0
    for line in lines:
        amount = (line.get("qty") or 0) * (line.get("price") or 0)
        total += amount + _charges_total(line.get("charges"), amount)
        total += sum(entry.get("TaxAmount") or 0 for entry in line.get("taxes") or [])
    total += _charges_total(charges, total)
    total += sum(entry.get("TaxAmount") or 0 for entry in taxes or [])
    return round(total, 2)


def order(tpid, po_number, lines, *, purpose="00", po_type="SA", po_date="2025-03-03", release=None,
          vendor=None, department=None, ship_date=None, cancel_date=None, ship_to=None, bill_to=None,
          customer_order=None, carrier=None, net_days=None, references=(), notes=(), total=None,
          ship_complete="N", charges=(), taxes=(), meta=None) -> dict:  # fmt: skip
    """An 850 shaped like §4.3. ``ship_date``/``cancel_date`` become ``Dates`` 010/001; ``references``
    are RSX ``References`` objects; ``charges`` and ``taxes`` the header's ``ChargesAllowances`` and
    ``Taxes`` (see :func:`charge`, :func:`tax`); ``total`` overrides the computed
    ``Summary.TotalAmount``."""
    order_header = _compact(
        TradingPartnerId=tpid,
        PurchaseOrderNumber=po_number,
        TsetPurposeCode=purpose,
        PrimaryPOTypeCode=po_type,
        ReleaseNumber=release,
        PurchaseOrderDate=po_date,
        ShipCompleteCode=ship_complete,
        Department=department,
        Vendor=vendor,
        CustomerOrderNumber=customer_order,
    )
    terms = [
        {
            "TermsType": "01",
            "TermsBasisDateCode": "3",
            "TermsNetDueDays": net_days,
            "TermsDescription": f"Net {net_days}",
        }
    ]
    header = _compact(
        OrderHeader=order_header,
        PaymentTerms=terms if net_days else [],
        Dates=[
            {"DateTimeQualifier": q, "Date": d} for q, d in (("010", ship_date), ("001", cancel_date)) if d
        ],
        Address=[item for item in (ship_to, bill_to) if item],
        CarrierInformation=[carrier] if carrier else [],
        References=list(references),
        Notes=[{"NoteCode": "GEN", "Note": note} for note in notes],
        Taxes=list(taxes),
        ChargesAllowances=list(charges),
    )
    document = {"Meta": meta} if meta else {}
    return document | {
        "Header": header,
        "LineItem": [{"OrderLine": _order_line(ln, i)} | _line_extras(ln) for i, ln in enumerate(lines)],
        "Summary": {
            "TotalAmount": document_total(lines, charges, taxes) if total is None else total,
            "TotalLineItemNumber": len(lines),
        },
    }


def change_order(tpid, po_number, sequence, lines, *, purpose="04", po_date="2025-03-03",
                 change_date="2025-03-05", release=None, ship_date=None, total=None) -> dict:  # fmt: skip
    """An 860 (RSX ``OrderChange``): ``ChangeOrderSeqNumber`` ``sequence``; each line names its
    ``change`` (LineChangeCode: AI add, DI delete, QI/QD quantity, PC price, CA changes…) and may carry
    ``previous_qty``. ``total`` is the order's new ``Summary.TotalAmount`` when given."""
    order_header = _compact(
        TradingPartnerId=tpid,
        PurchaseOrderNumber=po_number,
        TsetPurposeCode=purpose,
        ReleaseNumber=release,
        ChangeOrderSeqNumber=str(sequence),
        PurchaseOrderDate=po_date,
        POChangeDate=change_date,
    )
    items = []
    for index, line in enumerate(lines):
        order_line = _ids(line, index) | _compact(
            LineChangeCode=line.get("change", "CA"),
            OrderQty=line.get("qty"),
            OrderQtyUOM=line.get("uom", "EA") if line.get("qty") is not None else None,
            PreviousOrderQty=line.get("previous_qty"),
            PurchasePrice=line.get("price"),
        )
        items.append({"OrderLine": order_line} | _line_extras(line))
    header = _compact(
        OrderHeader=order_header,
        Dates=[{"DateTimeQualifier": "010", "Date": ship_date}] if ship_date else [],
    )
    document = {"Header": header, "LineItem": items}
    if total is not None:
        document["Summary"] = {"TotalAmount": total, "TotalLineItemNumber": len(lines)}
    return document


def inventory_advice(tpid, document_id, items, *, inventory_date="2025-03-10", inventory_time=None,
                     warehouse=None, purpose="00", report_type="MB", vendor=None) -> dict:  # fmt: skip
    """An 846 (RSX ``ItemRegistry``) shaped like §4.8. ``warehouse``: the reporting warehouse (RSX
    ``Address``, type RL). Items: ``vendor_part``, ``buyer_part``, ``upc``, ``description`` and
    ``quantities``: ``[{"qualifier": "33", "qty": 10, "uom": "EA", "locations": {loc: qty}?,
    "date": "2025-03-21"?}]``."""
    line_items = []
    for item in items:
        schedules = []
        for quantity in item.get("quantities") or []:
            schedule = _compact(
                QuantityQualifier=quantity.get("qualifier", "33"),
                TotalQty=quantity.get("qty"),
                TotalQtyUOM=quantity.get("uom", "EA"),
            )
            if quantity.get("locations"):
                schedule["LocationQuantity"] = [
                    {"Location": location, "Qty": qty} for location, qty in quantity["locations"].items()
                ]
            if quantity.get("date"):
                schedule["Dates"] = [{"DateTimeQualifier": "018", "Date": quantity["date"]}]
            schedules.append(schedule)
        inventory_line = _compact(
            BuyerPartNumber=item.get("buyer_part"),
            VendorPartNumber=item.get("vendor_part"),
            ConsumerPackageCode=item.get("upc"),
        )
        entry = {"InventoryLine": inventory_line, "QuantitiesSchedulesLocations": schedules}
        if item.get("description"):
            entry["ProductOrItemDescription"] = [
                {"ProductCharacteristicCode": "08", "ProductDescription": item["description"]}
            ]
        line_items.append(entry)
    header_report = _compact(
        TradingPartnerId=tpid,
        DocumentId=document_id,
        TsetPurposeCode=purpose,
        ReportTypeCode=report_type,
        InventoryDate=inventory_date,
        InventoryTime=inventory_time,
        Vendor=vendor,
    )
    header = _compact(HeaderReport=header_report, Address=[warehouse] if warehouse else [])
    total = sum(
        schedule.get("TotalQty") or 0
        for entry in line_items
        for schedule in entry["QuantitiesSchedulesLocations"]
    )
    return {
        "Header": header,
        "Structure": [{"LineItem": line_items}],
        "Summary": {"TotalLineItemNumber": len(line_items), "TotalQuantity": total},
    }


_REJECT_CODES = frozenset("IR R1 R2 R3 R4 R7 ROS CC".split())


def _ack_entries(line: dict) -> list[dict]:
    entries = []
    for entry in line.get("acks") or [("IA", line.get("qty"))]:
        if isinstance(entry, dict):
            status, qty, when = entry["status"], entry.get("qty"), entry.get("date")
        else:
            status, qty, when = (list(entry) + [None])[:3]
        entries.append(
            _compact(
                ItemStatusCode=status,
                ItemScheduleQty=qty,
                ItemScheduleUOM=line.get("uom", "EA") if qty is not None else None,
                ItemScheduleQualifier="068" if when else None,  # 068: current schedule ship
                ItemScheduleDate=when,
            )
        )
    return entries


def order_ack(tpid, po_number, lines, *, ack_type=None, ack_number=None, ack_date="2025-03-04",
              po_date="2025-03-03", purpose="00", vendor=None) -> dict:  # fmt: skip
    """An 855 shaped like §4.4. Each line may carry ``acks``: ``[(ItemStatusCode, qty, date?)…]``
    (default: ``IA`` for the ordered quantity). ``ack_type`` defaults to ``AD`` when every line is
    accepted unchanged, ``RD`` when every line is rejected, else ``AC``."""
    entries = [_ack_entries(line) for line in lines]
    codes = [entry["ItemStatusCode"] for line_entries in entries for entry in line_entries]
    if ack_type is None:
        all_accepted, all_rejected = codes and set(codes) == {"IA"}, codes and set(codes) <= _REJECT_CODES
        ack_type = "AD" if all_accepted else "RD" if all_rejected else "AC"
    order_header = _compact(
        TradingPartnerId=tpid,
        PurchaseOrderNumber=po_number,
        TsetPurposeCode=purpose,
        PurchaseOrderDate=po_date,
        AcknowledgementType=ack_type,
        AcknowledgementNumber=ack_number or f"ACK-{po_number}",
        AcknowledgementDate=ack_date,
        Vendor=vendor,
    )
    return {
        "Header": {"OrderHeader": order_header},
        "LineItem": [
            {"OrderLine": _order_line(line, i), "LineItemAcknowledgement": line_entries}
            for i, (line, line_entries) in enumerate(zip(lines, entries))
        ],
        "Summary": {"TotalAmount": _lines_sum(lines), "TotalLineItemNumber": len(lines)},
    }


def _item_level(item: dict, index: int) -> dict:
    uom = item.get("uom", "EA")
    shipment_line = _ids(item, index) | _compact(
        OrderQty=item.get("ordered"),
        OrderQtyUOM=uom if item.get("ordered") is not None else None,
        ItemStatusCode=item.get("status", "IA"),
        ShipQty=item["qty"],
        ShipQtyUOM=uom,
    )
    level = {"ShipmentLine": shipment_line}
    if item.get("lot"):
        # ShipmentLine has no lot field in RSX 7.7; ReferenceQual "LT" is "Lot Number" (INFERRED usage).
        level["References"] = [{"ReferenceQual": "LT", "ReferenceID": item["lot"]}]
    return level


def shipment(tpid, shipment_id, orders, *, ship_date="2025-03-10", purpose="00", bol=None, ship_from=None,
             ship_to=None, carrier=None, weight=None, structure="0001") -> dict:  # fmt: skip
    """An 856 shaped like §4.5 (Shipment/Order/Pack/Item, one ``PackLevel`` per carton).

    ``orders``: ``[{"po_number", "po_date"?, "department"?, "vendor"?, "packs": [{"sscc", "tare"?, "items":
    [{seq, buyer_part, vendor_part, upc, ordered, qty, uom, status (default IA), lot}]}]}]``; cartons
    with a ``tare`` (the pallet's SSCC) are nested in a tare-level pack of that pallet.
    """
    order_levels, line_keys, cartons = [], set(), 0
    for entry in orders:
        packs, pallets = [], {}
        for pack in entry["packs"]:
            cartons += 1
            items = [_item_level(item, i) for i, item in enumerate(pack["items"])]
            line_keys.update(
                (entry["po_number"], item["ShipmentLine"]["LineSequenceNumber"]) for item in items
            )
            level = {"Pack": {"PackLevelType": "P", "ShippingSerialID": pack["sscc"]}, "ItemLevel": items}
            if pack.get("tare"):  # a carton on a pallet: the pallet is the tare level (T) above it
                if pack["tare"] not in pallets:
                    pallets[pack["tare"]] = {"Pack": {"PackLevelType": "T", "ShippingSerialID": pack["tare"]}}
                    packs.append(pallets[pack["tare"]])
                pallets[pack["tare"]].setdefault("PackLevel", []).append(level)
            else:
                packs.append(level)
        order_header = _compact(
            PurchaseOrderNumber=entry["po_number"],
            PurchaseOrderDate=entry.get("po_date"),
            Department=entry.get("department"),
            Vendor=entry.get("vendor"),
        )
        order_levels.append({"OrderHeader": order_header, "PackLevel": packs})
    weights = {"WeightQualifier": "G", "Weight": weight, "WeightUOM": "LB"} if weight else {}
    shipment_header = _compact(
        TradingPartnerId=tpid,
        ShipmentIdentification=shipment_id,
        ShipDate=ship_date,
        TsetPurposeCode=purpose,
        ShipNoticeDate=ship_date,
        ASNStructureCode=structure,
        BillOfLadingNumber=bol,
    )
    header = _compact(
        ShipmentHeader=shipment_header,
        Address=[item for item in (ship_from, ship_to) if item],
        CarrierInformation=[carrier] if carrier else [],
        QuantityAndWeight=[{"PackingMedium": "CTN", "LadingQuantity": cartons} | weights],
    )
    summary = {"TotalLineItemNumber": len(line_keys)}
    if len(orders) > 1:
        summary = {"TotalOrders": len(orders)} | summary
    return {"Header": header, "OrderLevel": order_levels, "Summary": summary}


def invoice(tpid, invoice_number, po_number, lines, *, invoice_date="2025-03-11", po_date=None,
            type_code="DR", purpose="00", currency="USD", department=None, vendor=None, bol=None,
            ship_date=None, ship_to=None, remit_to=None, net_days=30, total=None) -> dict:  # fmt: skip
    """An 810 shaped like §4.6. Lines: ``qty`` (invoiced), ``ship_qty`` (default qty), ``price``,
    ``backordered`` (``QtyLeftToReceive`` with status ``BO``). ``total`` overrides the computed
    ``Summary.TotalAmount``."""
    invoice_lines = []
    for i, line in enumerate(lines):
        uom, backordered = line.get("uom", "EA"), line.get("backordered") or None
        invoice_line = _ids(line, i) | _compact(
            InvoiceQty=line["qty"],
            InvoiceQtyUOM=uom,
            PurchasePrice=line.get("price"),
            ShipQty=line.get("ship_qty", line["qty"]),
            ShipQtyUOM=uom,
            QtyLeftToReceive=backordered,
            QtyLeftToReceiveStatus="BO" if backordered else None,
        )
        invoice_lines.append({"InvoiceLine": invoice_line})
    due = (date.fromisoformat(invoice_date) + timedelta(days=net_days)).isoformat()
    terms = {
        "TermsType": "01",
        "TermsBasisDateCode": "3",
        "TermsNetDueDays": net_days,
        "TermsNetDueDate": due,
    }
    invoice_header = _compact(
        TradingPartnerId=tpid,
        InvoiceNumber=invoice_number,
        InvoiceDate=invoice_date,
        PurchaseOrderNumber=po_number,
        PurchaseOrderDate=po_date,
        InvoiceTypeCode=type_code,
        TsetPurposeCode=purpose,
        BuyersCurrency=currency,
        Department=department,
        Vendor=vendor,
        BillOfLadingNumber=bol,
        ShipDate=ship_date,
    )
    header = _compact(
        InvoiceHeader=invoice_header,
        PaymentTerms=[terms | {"TermsDescription": f"Net {net_days}"}],
        Address=[item for item in (ship_to, remit_to) if item],
    )
    lines_sum = _lines_sum(lines)
    summary = {"TotalAmount": lines_sum if total is None else total, "TotalSalesAmount": lines_sum}
    return {
        "Header": header,
        "LineItem": invoice_lines,
        "Summary": summary | {"TotalLineItemNumber": len(lines)},
    }


def warehouse_receipt(tpid, receipt_id, lines, *, shipment_id=None, depositor_order=None,
                      shipment_date="2025-03-10", received_date="2025-03-12",
                      reporting_code="F") -> dict:  # fmt: skip
    """A 944 shaped like §4.7. Lines: ``ship_qty``, ``uom``, ``lot`` and ``received``:
    ``[(qty, ReceivingConditionCode, DamageReasonCode?)…]`` (default: everything ``07`` good).
    ``Summary``: good quantity received, units shipped, damaged (``01``) or on hold (``09``)."""
    items, good, shipped, damaged = [], 0, 0, 0
    for i, line in enumerate(lines):
        uom = line.get("uom", "EA")
        detail = _ids(line, i) | _compact(
            ShipQty=line["ship_qty"], ShipQtyUOM=uom, WarehouseLotID=line.get("lot")
        )
        responses = []
        for entry in line.get("received") or [(line["ship_qty"], "07")]:
            qty, condition, reason = (list(entry) + [None])[:3]
            responses.append(
                _compact(Qty=qty, QtyUOM=uom, ReceivingConditionCode=condition, DamageReasonCode=reason)
            )
            good += qty if condition == "07" else 0
            damaged += qty if condition in ("01", "09") else 0
        shipped += line["ship_qty"]
        items.append({"ItemDetail": detail, "DetailResponse": responses})
    header_detail = _compact(
        TradingPartnerId=tpid,
        WarehouseReceiptId=receipt_id,
        ShipmentIdentification=shipment_id,
        DepositorOrderNumber=depositor_order,
        ShipmentDate=shipment_date,
        ReportingCode=reporting_code,
    )
    received = {"DateTimeQualifier": "050", "Date": received_date}  # 050: received
    return {
        "Header": {"HeaderDetail": header_detail, "Dates": [received]},
        "OrderLevel": {"LineItem": items},
        "Summary": {"QtyReceived": good, "UnitsShipped": shipped, "QtyDamageOrOnHold": damaged},
    }
