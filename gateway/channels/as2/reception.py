"""One AS2 request, received end to end: identify, claim, open, intake, answer with an MDN.

Order matters and is the point of this module:
1. the raw request (headers and body) is archived before anything is decided;
2. the (AS2-From, Message-ID) claim is taken in the database, so a retransmit — even a concurrent
   one — finds the first one's row and gets its stored MDN instead of a second processing;
3. the payload goes through the same durable intake as REST (``gateway.intake.accept``);
4. only then is the MDN built, archived, recorded and returned (or queued for asynchronous delivery).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from archive.audit import AuditEntry
from gateway.channels.as2 import mic as mic_names
from gateway.channels.as2.certificates import CertificateError, our_key_pairs, signing_certificates
from gateway.channels.as2.inbound import As2Rejection, Opened, open_message, outer_entity
from gateway.channels.as2.mdn import BuiltMdn, Disposition, MdnOptions, build_mdn, parse_options
from gateway.channels.as2.smime import KeyPair
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import Acknowledgement, As2Inbound, Transmission
from gateway.database.row_ids import new_row_id
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT, queue_work
from gateway.intake import IdempotencyConflict, Upload, accept
from partners.profile import PartnerProfile

log = logging.getLogger(__name__)

CLAIM_STALE_AFTER = timedelta(minutes=5)  # a claim older than this belongs to a process that died
CLAIM_WAIT_SECONDS = 30.0
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
OK_TEXT = "The AS2 message has been received and stored. It will be processed by edigate."
ERROR_TEXT = "The AS2 message could not be accepted: {reason}"


@dataclass(frozen=True, slots=True)
class Answer:
    """The HTTP response to the sender."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class As2Request:
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    peer: str | None = None

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.strip() if value is not None else None


def unquote_id(value: str | None) -> str | None:
    """AS2 names may be sent quoted (``"my id"``); compare them unquoted, case as sent."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text or None


def normalize_message_id(value: str | None) -> str | None:
    """``<id@host>`` → ``id@host``; Sterling sends it without brackets."""
    if value is None:
        return None
    text = value.strip().strip("<>").strip()
    return text[:255] or None


def find_partner(gw: Gateway, as2_id: str) -> PartnerProfile | None:
    """The partner whose profile claims ``as2_id``; None when nobody or (misconfigured) several do."""
    owners = [p for p in gw.partners if p.as2 is not None and p.as2.id == as2_id]
    if len(owners) > 1:
        log.error("AS2 id %r is claimed by several partners: %s", as2_id, [p.id for p in owners])
        return None
    return owners[0] if owners else None


def raw_request(request: As2Request) -> bytes:
    """Headers and body as one blob: the evidence of what arrived."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    return lines.encode("latin-1", "replace") + b"\r\n" + request.body


def receive(gw: Gateway, request: As2Request) -> Answer:
    """Handle one ``POST /as2``; never raises for anything the sender controls."""
    as2_from = unquote_id(request.header("as2-from"))
    as2_to = unquote_id(request.header("as2-to"))
    message_id = normalize_message_id(request.header("message-id"))
    missing = [
        name
        for name, value in (("AS2-From", as2_from), ("AS2-To", as2_to), ("Message-ID", message_id))
        if not value
    ]
    if missing:
        hint = "this is an AS2 endpoint (RFC 4130): POST a message with AS2-From, AS2-To and Message-ID"
        return Answer(400, {"Content-Type": "text/plain"}, f"missing {', '.join(missing)}; {hint}\n".encode())
    assert as2_from and as2_to and message_id  # narrowed by the check above
    own = gw.partners.company.as2
    if own is None:
        return Answer(404, {"Content-Type": "text/plain"}, b"AS2 is not configured on this gateway\n")
    if not request.header("content-type"):
        return Answer(400, {"Content-Type": "text/plain"}, b"missing Content-Type\n")

    now = gw.clock()
    request_sha256 = gw.archive.put(raw_request(request))
    options = parse_options(request.header("disposition-notification-options"))
    context = _Context(gw, request, as2_from, as2_to, message_id, request_sha256, options, now)

    partner = find_partner(gw, as2_from)
    if as2_to != own.id:
        return context.reject(
            None, Disposition.error("unknown-trading-partner"), f"AS2-To {as2_to!r} is not us"
        )
    if as2_from == as2_to:
        return context.reject(None, Disposition.failure("sender-equals-receiver"), "AS2-From equals AS2-To")
    if partner is None or partner.as2 is None:
        return context.reject(
            None, Disposition.error("unknown-trading-partner"), f"unknown AS2-From {as2_from!r}"
        )
    if not partner.enabled:
        return context.reject(partner, Disposition.error("unknown-trading-partner"), "partner is disabled")

    claim = _claim(gw, as2_from, message_id)
    if claim.outcome == "duplicate":
        return context.replay(partner, claim.row)
    if claim.outcome == "busy":
        return Answer(
            503,
            {"Content-Type": "text/plain", "Retry-After": "30"},
            b"a retransmission of this message is being processed\n",
        )
    return context.process(partner)


@dataclass
class _Claim:
    outcome: str  # new | duplicate | busy
    row: As2Inbound | None = None


def _claim(gw: Gateway, as2_from: str, message_id: str) -> _Claim:
    """Take (AS2-From, Message-ID) atomically: the insert's primary key decides between racers.

    A finished row with a positive MDN is a duplicate; one that ended in an error MDN is taken
    over (a partner resends after fixing the cause, and must then be processed normally).
    """
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while True:
        now = gw.clock()
        try:
            with gw.sessions.begin() as session:
                row = session.get(As2Inbound, (as2_from, message_id), with_for_update=True)
                if row is None:
                    session.add(
                        As2Inbound(
                            as2_from=as2_from,
                            message_id=message_id,
                            state="receiving",
                            claimed_at=now,
                            mdn_headers={},
                        )
                    )
                    session.flush()
                    return _Claim("new")
                if row.state == "done" and row.disposition and Disposition.parse(row.disposition).ok:
                    session.expunge(row)
                    return _Claim("duplicate", row)
                if row.state == "done" or row.claimed_at < now - CLAIM_STALE_AFTER:
                    row.state = "receiving"
                    row.claimed_at = now
                    return _Claim("new")
        except IntegrityError:
            pass  # a concurrent retransmit inserted first; look again
        if time.monotonic() > deadline:
            return _Claim("busy")
        time.sleep(0.1)


@dataclass
class _Context:
    gw: Gateway
    request: As2Request
    as2_from: str
    as2_to: str
    message_id: str
    request_sha256: str
    options: MdnOptions
    now: datetime

    @property
    def mdn_requested(self) -> bool:
        return self.request.header("disposition-notification-to") is not None

    def transport(self, **extra: Any) -> dict[str, Any]:
        return {
            "as2_from": self.as2_from,
            "as2_to": self.as2_to,
            "as2_message_id": self.message_id,
            "request_sha256": self.request_sha256,
            "remote_addr": self.request.peer,
            "user_agent": self.request.header("user-agent"),
            "as2_version": self.request.header("as2-version"),
            "mdn_requested": self.mdn_requested,
            "mdn_options": self.request.header("disposition-notification-options"),
            "receipt_delivery_option": self.request.header("receipt-delivery-option"),
            **extra,
        }

    # ----------------------------------------------------------------------------------- outcomes

    def process(self, partner: PartnerProfile) -> Answer:
        assert partner.as2 is not None
        unsupported = self.options.unsupported() if self.mdn_requested else None
        if unsupported is not None:
            return self.reject(
                partner, unsupported, "the requested MDN options cannot be honoured", claimed=True
            )
        base = self.gw.settings.data_dir
        try:
            keys = our_key_pairs(self.gw.partners.company.as2, base)  # type: ignore[arg-type]
            trusted = signing_certificates(partner.as2, base, self.now)
        except CertificateError as exc:
            log.error("AS2 certificates for %s cannot be loaded: %s", partner.id, exc)
            return self.reject(
                partner, Disposition.error("unexpected-processing-error"), str(exc), claimed=True
            )
        outer = outer_entity(
            self.request.header("content-type") or "",
            self.request.header("content-transfer-encoding"),
            self.request.body,
        )
        try:
            opened = open_message(
                outer,
                settings=partner.as2,
                trusted=trusted,
                keys=keys,
                max_size=self.gw.settings.max_body_bytes,
            )
        except As2Rejection as exc:
            return self.reject(partner, exc.disposition, exc.reason, claimed=True, facts=exc.facts, keys=keys)
        try:
            payload = opened.payload.decoded_body()
        except ValueError as exc:
            return self.reject(
                partner, Disposition.error("unexpected-processing-error"), str(exc), claimed=True, keys=keys
            )
        micalg = self.options.micalg() or opened.digest_algorithm or "sha256"
        mic = (mic_names.compute(opened.mic_content, micalg), micalg)
        try:
            receipt = accept(
                self.gw,
                Upload(
                    channel="as2",
                    data=payload,
                    partner_id=partner.id,
                    actor=f"partner:{partner.id}",
                    content_type=opened.payload.content_type[0],
                    filename=safe_filename(opened.payload.filename),
                    idempotency_key=self.idempotency_key(),
                    transport=self.transport(**opened.facts(), mic=f"{mic[0]}, {mic[1]}"),
                ),
            )
        except IdempotencyConflict as exc:
            # Same Message-ID accepted before with other bytes: answer as the duplicate it claims to be.
            return self.finish(
                partner, Disposition.error("duplicate-document"), str(exc), exc.existing_id, mic, keys
            )
        return self.finish(partner, Disposition.processed(), OK_TEXT, receipt.id, mic, keys, opened=opened)

    def idempotency_key(self) -> str:
        digest = hashlib.sha256(f"{self.as2_from}\n{self.message_id}".encode()).hexdigest()
        return f"as2:{digest}"

    def reject(
        self,
        partner: PartnerProfile | None,
        disposition: Disposition,
        reason: str,
        *,
        claimed: bool = False,
        facts: dict[str, Any] | None = None,
        keys: list[KeyPair] | None = None,
    ) -> Answer:
        """Record the refused message as a rejected transmission answer with an error MDN."""
        transmission = Transmission(
            id=new_row_id(),
            direction="inbound",
            channel="as2",
            partner_id=partner.id if partner else None,
            received_at=self.now,
            sha256=self.request_sha256,
            size=len(self.request.body),
            content_type=(self.request.header("content-type") or "")[:128] or None,
            transport=self.transport(**(facts or {})),
            status="rejected",
            errors=[
                {
                    "code": f"AS2_{disposition.description.upper().replace('-', '_').replace(' ', '_')}",
                    "text": reason,
                    "location": {},
                    "level": "interchange",
                    "syntax_code": None,
                }
            ],
        )
        with self.gw.sessions.begin() as session:
            session.add(transmission)
            session.flush()
            append_events(
                session,
                [
                    AuditEntry(
                        f"partner:{partner.id}" if partner else "anonymous",
                        "transmission",
                        transmission.id,
                        "received",
                        {"channel": "as2", "size": transmission.size, "transport": transmission.transport},
                    ),
                    AuditEntry(
                        "system",
                        "transmission",
                        transmission.id,
                        "as2_rejected",
                        {"disposition": disposition.render(), "reason": reason},
                    ),
                ],
                self.gw.clock,
            )
        text = ERROR_TEXT.format(reason=disposition.render())
        sign = partner is not None and keys is not None
        return self.finish(
            partner, disposition, text, transmission.id, None, keys if sign else None, claimed=claimed
        )

    def finish(
        self,
        partner: PartnerProfile | None,
        disposition: Disposition,
        text: str,
        transmission_id: str,
        mic: tuple[str, str] | None,
        keys: list[KeyPair] | None,
        *,
        claimed: bool = True,
        opened: Opened | None = None,
    ) -> Answer:
        """Build, archive and record the MDN (after the payload is durable), then answer."""
        mdn: BuiltMdn | None = None
        mode = "none"
        async_url = self.request.header("receipt-delivery-option")
        events: list[AuditEntry] = []
        if self.mdn_requested:
            mdn = self.build(partner, disposition, text, mic, keys)
            mode = "sync"
            if async_url:
                allowed = (
                    partner is not None
                    and partner.as2 is not None
                    and partner.as2.async_mdn_url_allowed(async_url)
                )
                if allowed:
                    mode = "async"
                else:
                    events.append(
                        AuditEntry(
                            "system",
                            "transmission",
                            transmission_id,
                            "as2_async_mdn_refused",
                            {
                                "url": async_url,
                                "reason": "not in the partner's async_mdn_urls; MDN sent synchronously",
                            },
                        )
                    )
        blob = mdn.as_bytes() if mdn is not None else b""
        sha = self.gw.archive.put(blob) if mdn is not None else None
        with self.gw.sessions.begin() as session:
            ack_id = None
            if mdn is not None:
                ack_id = new_row_id()
                session.add(
                    Acknowledgement(
                        id=ack_id,
                        direction="outbound",
                        type="MDN",
                        status="accepted" if disposition.ok else "rejected",
                        partner_id=partner.id if partner else None,
                        transmission_id=transmission_id,
                        control_reference=hashlib.sha256(self.message_id.encode()).hexdigest()[:32],
                        sha256=sha,
                        size=len(blob),
                        created_at=self.gw.clock(),
                        filename=None,
                        delivery_state="pending" if mode == "async" else "delivered",
                        delivered_at=None if mode == "async" else self.gw.clock(),
                    )
                )
                if mode == "async":
                    queue_work(session, DELIVER_ACKNOWLEDGEMENT, ack_id, self.gw.clock())
                events.append(
                    AuditEntry(
                        "system",
                        "transmission",
                        transmission_id,
                        "as2_mdn_sent" if mode == "sync" else "as2_mdn_queued",
                        {
                            "disposition": disposition.render(),
                            "mode": mode,
                            "signed": mdn.signed,
                            "mdn_message_id": mdn.message_id,
                            "mdn_sha256": sha,
                            "mic": f"{mic[0]}, {mic[1]}" if mic else None,
                            "async_url": async_url if mode == "async" else None,
                        },
                    )
                )
            if claimed and partner is not None:
                row = session.get(As2Inbound, (self.as2_from, self.message_id), with_for_update=True)
                if row is not None:
                    row.partner_id = partner.id
                    row.state = "done"
                    row.transmission_id = transmission_id
                    row.request_sha256 = self.request_sha256
                    row.disposition = disposition.render()[:255]
                    row.mic = f"{mic[0]}, {mic[1]}" if mic else None
                    row.mdn_mode = mode
                    row.mdn_url = async_url if mode == "async" else None
                    row.mdn_sha256 = sha
                    row.mdn_headers = dict(mdn.headers) if mdn else {}
                    row.mdn_acknowledgement_id = ack_id
            append_events(session, events, self.gw.clock)
        if mode == "async":
            self.gw.work_available.set()
        if mdn is None or mode == "async":
            return Answer(200, {"Content-Type": "text/plain"}, b"")
        return Answer(200, dict(mdn.headers), mdn.body)

    def build(
        self,
        partner: PartnerProfile | None,
        disposition: Disposition,
        text: str,
        mic: tuple[str, str] | None,
        keys: list[KeyPair] | None,
    ) -> BuiltMdn:
        micalg = self.options.micalg()
        signer = keys[0] if keys and self.options.signed and micalg else None
        style = partner.as2.micalg_style if partner and partner.as2 else "sha-256"
        return build_mdn(
            original_message_id=self.message_id,
            our_id=self.as2_to,
            partner_id=self.as2_from,
            disposition=disposition,
            mic=mic,
            text=text,
            signer=signer,
            micalg=micalg or "sha256",
            micalg_style=style,
        )

    def replay(self, partner: PartnerProfile, row: As2Inbound | None) -> Answer:
        """A retransmit of a message already answered: the same MDN again, nothing processed twice."""
        assert row is not None
        with self.gw.sessions.begin() as session:
            details = {
                "as2_message_id": self.message_id,
                "original_transmission": row.transmission_id,
                "request_sha256": self.request_sha256,
                "mdn_mode": row.mdn_mode,
            }
            if row.mdn_mode == "async" and row.mdn_acknowledgement_id:
                queue_work(session, DELIVER_ACKNOWLEDGEMENT, row.mdn_acknowledgement_id, self.gw.clock())
            append_events(
                session,
                [
                    AuditEntry(
                        f"partner:{partner.id}",
                        "transmission",
                        row.transmission_id or "",
                        "as2_duplicate",
                        details,
                    )
                ],
                self.gw.clock,
            )
        if not row.mdn_sha256 or row.mdn_mode == "async":
            return Answer(200, {"Content-Type": "text/plain"}, b"")
        blob = self.gw.archive.get(row.mdn_sha256)
        body = blob.split(b"\r\n\r\n", 1)[1]
        return Answer(200, dict(row.mdn_headers), body)


def safe_filename(name: str | None) -> str | None:
    """The sender's file name as a harmless storage label: no folders, no shell or path characters."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_FILENAME.sub("_", base).strip("._")
    return cleaned[:200] or None
