"""What ``--demo`` adds: the demo operator and the facts a newcomer needs to try the gateway."""

from __future__ import annotations

from pathlib import Path

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
# The ERP's demo API key; gateway/erp/keys.py accepts its SHA-256 when --demo is on.
DEMO_ERP_KEY = "demo-erp-key"
# The demo admin API key; gateway/api/admin_access.py accepts its SHA-256 when --demo is on.
DEMO_ADMIN_KEY = "demo-admin-key"
# The demo SFTP account of acme-retail (its profile holds the password's hash and names the key file).
DEMO_SFTP_PARTNER, DEMO_SFTP_USER, DEMO_SFTP_PASSWORD = "acme-retail", "acme", "acme-demo"
DEMO_SFTP_KEY = Path("keys") / "acme_ed25519"
# Demo AS2 key pairs under <data dir>/certs: ours (EDIGATE-DEMO) and the one a newcomer uses to play ACME.
DEMO_AS2_CERTS = Path("certs")
DEMO_AS2_OURS, DEMO_AS2_PARTNER_ID, DEMO_AS2_PARTNER = "EDIGATE-DEMO", "acme-retail", "ACME-RETAIL"


def prepare_demo(gw: Gateway) -> None:
    username, password = DEMO_OPERATOR
    ensure_operator(gw, username, password, "admin")
    key = gw.settings.data_dir / DEMO_SFTP_KEY
    if DEMO_SFTP_PARTNER in gw.partners and not key.exists():
        from gateway.channels.sftp_server import write_key_pair

        write_key_pair(key, f"{DEMO_SFTP_USER}@edigate-demo")
    prepare_demo_as2(gw.settings.data_dir)


def prepare_demo_as2(data_dir: Path) -> None:
    """Key pairs the demo profiles name (company.toml and acme-retail.toml ``[as2]``), made once."""
    from gateway.channels.as2.certificates import ensure_key_pair_files

    for name in (DEMO_AS2_OURS, DEMO_AS2_PARTNER):
        ensure_key_pair_files(data_dir / DEMO_AS2_CERTS, name)


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
    lines += _erp_lines(base_url)
    lines.append(
        f"  Admin API     {base_url}/v1/admin/partners   (admin key {DEMO_ADMIN_KEY}, or the admin operator)"
    )
    lines += _order_loop_lines(gw, base_url)
    lines += _sftp_lines(gw)
    lines += _as2_lines(gw, base_url)
    return "\n".join(lines)


def _erp_lines(base_url: str) -> list[str]:
    """How the ERP side reads what the partners sent: the pull API with the demo ERP key."""
    return [
        f"  ERP pull API  {base_url}/v1/documents   (ERP key {DEMO_ERP_KEY}; ack: POST …/{{id}}/ack)",
        f"    curl -H 'Authorization: Bearer {DEMO_ERP_KEY}' {base_url}/v1/documents",
    ]


def _order_loop_lines(gw: Gateway, base_url: str) -> list[str]:
    """Whether the ERP stand-in answers orders, and where to follow one through the loop."""
    if not gw.settings.demo_auto_accept:
        return [
            f"  Order loop    {base_url}/v1/orders/<PO number>   (auto-accept off: "
            "EDIGATE_DEMO_AUTO_ACCEPT=false)"
        ]
    return [
        f"  Order loop    {base_url}/v1/orders/<PO number>   (auto-accept on: every ORDERS is "
        "answered with an ORDRSP in the partner's /out)",
    ]


def _sftp_lines(gw: Gateway) -> list[str]:
    """The command a newcomer pastes to log in as ACME over SFTP, or how to switch SFTP on."""
    port = gw.settings.sftp_port
    if port is None:
        return ["  SFTP          off; start with --sftp-port 2222 to log in as ACME over SFTP"]
    key = (gw.settings.data_dir / DEMO_SFTP_KEY).resolve()
    host = gw.settings.sftp_host or gw.settings.host
    host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    return [
        f"  SFTP          user {DEMO_SFTP_USER} (password {DEMO_SFTP_PASSWORD}, or the key below); "
        "put orders in /in, CONTRLs appear in /out:",
        f"    sftp -i {key} -P {port} -o StrictHostKeyChecking=accept-new {DEMO_SFTP_USER}@{host}",
    ]


def _as2_lines(gw: Gateway, base_url: str) -> list[str]:
    """Where to POST AS2 as ACME, and the files to do it with (README "AS2" has the full example)."""
    own = gw.partners.company.as2
    partner = gw.partners.get(DEMO_AS2_PARTNER_ID)
    if own is None or partner is None or partner.as2 is None:
        return []
    certs = (gw.settings.data_dir / DEMO_AS2_CERTS).resolve()
    return [
        f"  AS2           {base_url}/as2   (we are {own.id}; ACME is {partner.as2.id}, must sign)",
        f"    our certificate {certs / (DEMO_AS2_OURS + '.pem')}",
        f"    ACME's key pair {certs / (DEMO_AS2_PARTNER + '.pem')} + {DEMO_AS2_PARTNER}.key (demo only)",
    ]
