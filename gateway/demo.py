"""What ``--demo`` adds: the demo operator and the facts a newcomer needs to try the gateway."""

from __future__ import annotations

from gateway.context import Gateway
from gateway.dashboard.operators import ensure_operator
from partners.profile import PartnerProfile

# The demo profiles store only hashes; these are the keys those hashes were made from.
DEMO_API_KEYS = {
    "acme-retail": "demo-acme-key",
    "supplier-one": "demo-supplier-one-key",
    "umbrella": "demo-umbrella-key",
    "globex": "demo-globex-key",
    "initech": "demo-initech-key",
    "contoso": "demo-contoso-key",
}
DEMO_OPERATOR = ("admin", "admin")


def prepare_demo(gw: Gateway) -> None:
    username, password = DEMO_OPERATOR
    ensure_operator(gw, username, password, "admin")


def _identity(partner: PartnerProfile) -> str:
    if partner.syntax == "x12":
        return "ISA sender " + ", ".join(i.describe() for i in partner.x12)
    if partner.syntax == "xml":
        return "XML sender " + ", ".join(i.describe() for i in partner.xml)
    return "UNB sender " + ", ".join(i.describe() for i in partner.edifact)


def demo_banner(gw: Gateway, base_url: str) -> str:
    lines = [
        "edigate demo",
        f"  REST API      {base_url}/v1/messages   (OpenAPI: {base_url}/docs)",
        f"  Dashboard     {base_url}/ui            (login {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]})",
        f"  Data dir      {gw.settings.data_dir.resolve()}",
        "  Demo partners and their API keys:",
    ]
    for partner_id, key in DEMO_API_KEYS.items():
        partner = gw.partners.by_api_key(key)
        if partner is None or partner.id != partner_id:
            continue  # a profile was edited; do not advertise a key that no longer works
        lines.append(f"    {partner.id:<14} key {key:<24} {_identity(partner)}")
    lines += [
        "  Try it:",
        f"    curl -H 'Authorization: Bearer {DEMO_API_KEYS['acme-retail']}' --data-binary @order.edi "
        f"{base_url}/v1/messages",
    ]
    return "\n".join(lines)
