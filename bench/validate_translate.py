"""How fast edigate takes a payload from bytes to stored canonical JSON, as the pipeline does.

Run from the repository root:
    python bench/validate_translate.py [--repeat N] [--size MB] [--documents N] [--small N]

The measured path is ``translators.translate.translate`` - detect the syntax, read, check the
envelope, validate every message against its definition, resolve the partner, map to the canonical
document - followed by what ``gateway.pipeline`` pays for each document before storing it:
``model_dump(mode="json")`` and ``json.dumps`` (the JSON column's encoder). Inputs are generated
with a fixed seed for the demo partners, so every run measures the same bytes and every message is
accepted (the bench prints the error count; 0 is expected):

* EANCOM ORDERS D96A from ACME Retail: one interchange of ~2 MB, many orders of 5-40 lines;
* X12 850 005010 from Umbrella: one interchange of ~2 MB, many orders of 5-40 lines;
* UBL 2.1 Invoice from Initech: many separate documents (the gateway receives one XML document per
  transmission, so the figures are per document), 5-30 lines each.

Figures are documents/s, MB/s and segments/s (elements/s for XML), best of ``--repeat`` runs, once
by elapsed time and once by CPU time of this process: the machine may be shared, and the best run
is the one least disturbed; CPU time leaves out the waits for a core that other processes cause.
Beside the 850, pyx12's reader (its envelope checks; pyx12 ships no 850 map, so it cannot validate
the set's structure) runs on the same bytes as a reference when pyx12 is installed.

Small interchanges (``--small N``, 2,000 by default; 0 skips them): what the worker pays per small
inbound EANCOM ORDERS (tests/fixtures/edifact/acme_orders_d96a.edi, ~1 KB, one message), each with
a fresh UNB reference - ``translate``, ``plan_acknowledgements`` (the CONTRL as bytes) and the
document's ``model_dump(mode="json")`` - printed as CPU microseconds per interchange for each of the
three and as interchanges per CPU second. The collector runs as in the worker, so the young
collection that follows a translation counts where it happens.

A benchmark measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from timing import best_of  # noqa: E402

from partners.loader import demo_directory_path, load_directory  # noqa: E402
from translators.acknowledge import plan_acknowledgements  # noqa: E402
from translators.translate import translate  # noqa: E402

DIRECTORY = load_directory(demo_directory_path())


# --- inputs -------------------------------------------------------------------------------------

ACME_ITEMS = ("4000001000012", "4000001000029")


def orders_message(rng: random.Random, ref: int) -> list[str]:
    """One EANCOM ORDERS D96A (EAN008) as ACME Retail sends it: parties, references, 5-40 lines."""
    segs = [
        f"UNH+ME{ref:06d}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+PO-{ref:08d}+9",
        "DTM+137:20260115:102",
        f"DTM+2:202602{rng.randint(1, 28):02d}:102",
        "FTX+AAI+++Please deliver to ramp 3?+4 before 10 o?'clock",
        f"RFF+CT:K-{rng.randint(1000, 9999)}",
        "NAD+BY+5412345000013::9++ACME Retail N.V.+Industrieweg 12+Antwerpen++2030+BE",
        "RFF+VA:BE0123456789",
        "NAD+SU+4000001000005::9",
        "NAD+DP+5412345000020::9++ACME Distribution Centre+Havenlaan 100+Gent++9000+BE",
        "CUX+2:EUR:9",
    ]
    lines = rng.randint(5, 40)
    total = Decimal(0)
    for line in range(1, lines + 1):
        qty = rng.randint(1, 500)
        price = Decimal(rng.randint(10, 99999)) / 100
        total += qty * price
        segs += [
            f"LIN+{line}++{rng.choice(ACME_ITEMS)}:EN",
            f"PIA+1+MS-{rng.randint(1000, 9999)}:SA",
            f"IMD+F++:::Widget {rng.randint(1, 99)} mm",
            f"QTY+21:{qty}:PCE",
            f"MOA+203:{qty * price:.2f}",
            f"PRI+AAA:{price:.2f}",
        ]
    segs += ["UNS+S", f"MOA+86:{total:.2f}", f"CNT+2:{lines}"]
    segs.append(f"UNT+{len(segs) + 1}+ME{ref:06d}")
    return segs


def orders_interchange(target_bytes: int, seed: int = 20260115) -> tuple[bytes, int]:
    """One interchange of ORDERS filling ``target_bytes``; returns the bytes and the message count."""
    rng = random.Random(seed)
    segs = ["UNB+UNOC:3+5412345000013:14+4000001000005:14+260115:0930+BENCH1"]
    size, n = 0, 0
    while size < target_bytes:
        n += 1
        msg = orders_message(rng, n)
        size += sum(len(s) + 2 for s in msg)
        segs += msg
    segs.append(f"UNZ+{n}+BENCH1")
    return ("UNA:+.? '\n" + "".join(s + "'\n" for s in segs)).encode("latin-1"), n


UMBRELLA_ITEMS = (("UP", "614141000036"), ("UP", "614141000043"), ("VN", "GAD-200"))


def purchase_order(rng: random.Random, control: int) -> list[str]:
    """One X12 850 005010 as Umbrella sends it (see tests/fixtures/x12/umbrella_850_005010.edi)."""
    body = [
        f"ST*850*{control:04d}",
        f"BEG*00*SA*UMB-{control:010d}**20240115",
        "CUR*BY*USD",
        f"REF*CT*CONTRACT-{rng.randint(1, 99)}",
        "REF*DP*038",
        f"DTM*002*202402{rng.randint(1, 28):02d}",
        "N1*BY*UMBRELLA CORPORATION*UL*0614141000012",
        "N3*1 HIVE ROAD*BUILDING 4",
        "N4*RACCOON CITY*MO*65101*US",
        "N1*ST*UMBRELLA WAREHOUSE 7*UL*0614141000029",
        "N3*77 DEPOT STREET",
        "N4*RACCOON CITY*MO*65102*US",
    ]
    lines = rng.randint(5, 40)
    total = Decimal(0)
    for n in range(1, lines + 1):
        qty = rng.randint(1, 500)
        price = Decimal(rng.randint(100, 99999)) / 100
        total += qty * price
        qualifier, item = rng.choice(UMBRELLA_ITEMS)
        body += [
            f"PO1*{n}*{qty}*EA*{price:.2f}*PE*{qualifier}*{item}*BP*U-{rng.randint(100, 999)}",
            f"PID*F****WIDGET NUMBER {n}",
            f"DTM*002*202402{rng.randint(1, 28):02d}",
        ]
    body += [f"CTT*{lines}", f"AMT*TT*{total:.2f}"]
    body.append(f"SE*{len(body) + 1}*{control:04d}")
    return body


def purchase_orders(target_bytes: int, seed: int = 1) -> tuple[bytes, int]:
    rng = random.Random(seed)
    segs = [
        "ISA*00*          *00*          *ZZ*UMBRELLA       *ZZ*EDIGATEDEMO    *240115*1030*^*00501"
        "*000000101*0*P*>",
        "GS*PO*UMBRELLA*EDIGATEDEMO*20240115*1030*101*X*005010",
    ]
    size, count = 0, 0
    while size < target_bytes:
        count += 1
        body = purchase_order(rng, count)
        size += sum(len(s) + 2 for s in body)
        segs += body
    segs += [f"GE*{count}*101", "IEA*1*000000101"]
    return ("~\n".join(segs) + "~\n").encode("ascii"), count


_UBL_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2025-03-18</cbc:IssueDate>
  <cbc:DueDate>2025-04-17</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:OrderReference>
    <cbc:ID>PO-{order}</cbc:ID>
  </cac:OrderReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0088">8712345000011</cbc:EndpointID>
      <cac:PartyIdentification>
        <cbc:ID schemeID="0088">8712345000011</cbc:ID>
      </cac:PartyIdentification>
      <cac:PartyName>
        <cbc:Name>Initech B.V.</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cbc:StreetName>Stationsplein</cbc:StreetName>
        <cbc:BuildingNumber>45</cbc:BuildingNumber>
        <cbc:CityName>Utrecht</cbc:CityName>
        <cbc:PostalZone>3511 ED</cbc:PostalZone>
        <cac:Country>
          <cbc:IdentificationCode>NL</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>NL859871452B01</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0088">4000001000005</cbc:EndpointID>
      <cac:PartyName>
        <cbc:Name>Edigate Demo GmbH</cbc:Name>
      </cac:PartyName>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cbc:PaymentID>{number}</cbc:PaymentID>
    <cac:PayeeFinancialAccount>
      <cbc:ID>NL91ABNA0417164300</cbc:ID>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">{net}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">{gross}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">{gross}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
"""

_UBL_LINE = """  <cac:InvoiceLine>
    <cbc:ID>{line}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">{qty}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
    <cac:OrderLineReference>
      <cbc:LineID>{line}</cbc:LineID>
    </cac:OrderLineReference>
    <cac:Item>
      <cbc:Name>Hydraulic coupling DN{size}</cbc:Name>
      <cac:SellersItemIdentification>
        <cbc:ID>HC-DN{size}</cbc:ID>
      </cac:SellersItemIdentification>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>19</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
"""


def ubl_invoices(count: int, seed: int = 18) -> list[bytes]:
    """``count`` Peppol-style UBL 2.1 invoices from Initech, 5-30 lines each, totals that add up."""
    rng = random.Random(seed)
    out = []
    for n in range(1, count + 1):
        lines, net = [], Decimal(0)
        for line in range(1, rng.randint(5, 30) + 1):
            qty = rng.randint(1, 200)
            price = Decimal(rng.randint(100, 99999)) / 100
            amount = qty * price
            net += amount
            lines.append(
                _UBL_LINE.format(
                    line=line, qty=qty, amount=f"{amount:.2f}", price=f"{price:.2f}", size=rng.randint(10, 99)
                )
            )
        tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
        head = _UBL_HEAD.format(
            number=f"INI-2025-{n:06d}",
            order=rng.randint(10000, 99999),
            net=f"{net:.2f}",
            tax=f"{tax:.2f}",
            gross=f"{net + tax:.2f}",
        )
        out.append((head + "".join(lines) + "</Invoice>\n").encode("utf-8"))
    return out


# --- the measured path --------------------------------------------------------------------------


def translate_and_encode(data: bytes, partner: str) -> tuple[int, int]:
    """What the pipeline does with one transmission before the database: (documents, errors)."""
    translation = translate(data, DIRECTORY, channel_partner=partner)
    documents = translation.documents
    for document in documents:
        json.dumps(document.model_dump(mode="json"))
    return len(documents), len(translation.all_errors)


@dataclass
class Case:
    name: str
    payloads: list[bytes]
    partner: str
    documents: int
    units: int  # segments (EDI) or elements (XML)
    unit: str

    @property
    def megabytes(self) -> float:
        return sum(map(len, self.payloads)) / 1e6

    def run(self) -> tuple[int, int]:
        documents = errors = 0
        for payload in self.payloads:
            d, e = translate_and_encode(payload, self.partner)
            documents += d
            errors += e
        return documents, errors


def figures(name: str, seconds: float, documents: int, megabytes: float, units: int, unit: str) -> str:
    return (
        f"{name:48s} {documents / seconds:9,.0f} doc/s {megabytes / seconds:7.2f} MB/s "
        f"{units / seconds:11,.0f} {unit}/s  ({seconds * 1000:.0f} ms)"
    )


def report(name: str, times: tuple[float, float], case: Case) -> None:
    for clock, seconds in zip(("elapsed", "cpu"), times, strict=True):
        print(
            "  "
            + figures(f"{name} [{clock}]", seconds, case.documents, case.megabytes, case.units, case.unit)
        )


def pyx12_read(data: bytes) -> int | None:
    """Segments pyx12's X12Reader yields with its envelope checks; None when pyx12 is absent."""
    try:
        from pyx12.x12file import X12Reader
    except ImportError:
        return None
    with X12Reader(io.StringIO(data.decode("ascii"))) as reader:
        return sum(1 for _ in reader)


_START_TAG = re.compile(rb"<[A-Za-z_]")

SMALL_FIXTURE = REPO / "tests" / "fixtures" / "edifact" / "acme_orders_d96a.edi"
SMALL_REFERENCE = b"ACME000123"  # UNB 0020 and UNZ 0020 of the fixture


def small_interchanges(count: int) -> list[bytes]:
    """The fixture ``count`` times, each with its own interchange control reference."""
    data = SMALL_FIXTURE.read_bytes()
    return [data.replace(SMALL_REFERENCE, b"S%09d" % n) for n in range(count)]


def small_stages(payloads: list[bytes]) -> tuple[float, float, float]:
    """CPU seconds of translate, plan_acknowledgements and model_dump(mode="json") over ``payloads``."""
    clock = time.process_time
    now = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    numbers = iter(range(1, 10**9))
    company = DIRECTORY.company
    spent = [0.0, 0.0, 0.0]
    for payload in payloads:
        start = clock()
        translation = translate(payload, DIRECTORY, channel_partner="acme-retail")
        translated = clock()
        for outcome in translation.interchanges:
            plan_acknowledgements(outcome, company, next_number=lambda _p, _k: next(numbers), now=now)
        planned = clock()
        for document in translation.documents:
            document.model_dump(mode="json")
        dumped = clock()
        spent[0] += translated - start
        spent[1] += planned - translated
        spent[2] += dumped - planned
    return spent[0], spent[1], spent[2]


def report_small(count: int, repeat: int) -> None:
    payloads = small_interchanges(count)
    translation = translate(payloads[0], DIRECTORY, channel_partner="acme-retail")
    print(
        f"small interchanges: {count:,} x {len(payloads[0]):,} bytes (acme_orders_d96a.edi, fresh UNB "
        f"0020), {len(translation.documents)} document and {len(translation.all_errors)} errors each "
        "(1 and 0 expected)"
    )
    small_stages(payloads[:50])  # warm the caches
    best = min((small_stages(payloads) for _ in range(repeat)), key=sum)
    per = [seconds / count * 1e6 for seconds in best]
    print(
        f"  cpu per interchange: translate {per[0]:.0f} µs, plan_acknowledgements {per[1]:.0f} µs, "
        f"model_dump(json) {per[2]:.0f} µs; total {sum(per):.0f} µs = {count / sum(best):,.0f} interchanges/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the best counts)")
    parser.add_argument("--size", type=float, default=2.0, help="size of the EDIFACT and X12 files in MB")
    parser.add_argument("--documents", type=int, default=500, help="number of UBL invoice documents")
    parser.add_argument("--small", type=int, default=2000, help="small ORDERS interchanges (0: skip)")
    args = parser.parse_args()
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(
        f"python {sys.version.split()[0]}; best of {args.repeat} runs; path: translate() + "
        "model_dump(mode='json') + json.dumps per document"
    )

    if args.small:
        report_small(args.small, args.repeat)
    orders, n_orders = orders_interchange(int(args.size * 1_000_000))
    x12, n_850 = purchase_orders(int(args.size * 1_000_000))
    invoices = ubl_invoices(args.documents)
    cases = [
        Case(
            "EANCOM ORDERS D96A, one interchange",
            [orders],
            "acme-retail",
            n_orders,
            orders.count(b"'\n"),
            "seg",
        ),
        Case("X12 850 005010, one interchange", [x12], "umbrella", n_850, x12.count(b"~"), "seg"),
        Case(
            "UBL 2.1 Invoice, one document each",
            invoices,
            "initech",
            len(invoices),
            sum(len(_START_TAG.findall(d)) for d in invoices),
            "elem",
        ),
    ]
    for case in cases:
        documents, errors = case.run()  # also warms definition caches
        print(
            f"{case.name}: {case.megabytes:.3f} MB, {case.documents:,} messages, "
            f"{case.units:,} {case.unit}, {documents:,} documents translated, {errors} errors (0 expected)"
        )
        report("edigate validate + translate + JSON", best_of(args.repeat, case.run), case)
        if case.name.startswith("X12") and pyx12_read(x12) is not None:
            report(
                "pyx12 X12Reader (envelope only)",
                best_of(max(1, args.repeat // 2), lambda: pyx12_read(x12)),
                case,
            )


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # measure, never fail
        print(f"benchmark stopped: {type(exc).__name__}: {exc}")
