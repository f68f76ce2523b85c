"""Sending over AS2 and following up on receipts: the "as2" deliverer and ``POST /as2/mdn``.

The worker calls :func:`deliver` inside its transaction (``OutboundFile.session``), so the
state kept in ``as2_outbound`` commits or rolls back with the delivery itself. Raising
``DeliveryError`` makes the worker retry with back-off and, after its last attempt, mark the
delivery failed with a ``delivery_failed`` audit event: that is the alert for a negative MDN, a
MIC mismatch, an unverifiable MDN or an unreachable partner. An asynchronous MDN that does not
arrive within ``mdn_timeout_seconds`` makes a follow-up work item resend the message with the same
Message-ID (the receiver then answers a duplicate with its stored MDN), up to ``max_sends``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import AuditEntry
from gateway.channels.as2 import mic as mic_names
from gateway.channels.as2.certificates import (
    CertificateError,
    encryption_certificate,
    load_certificates,
    our_key_pairs,
)
from gateway.channels.as2.mdn import MdnError, ReadMdn, read_mdn
from gateway.channels.as2.outbound import BuiltMessage, build_message, content_type_for, new_message_id
from gateway.channels.as2.reception import Answer, As2Request, find_partner, unquote_id
from gateway.context import Gateway
from gateway.database.audit_log import append_events
from gateway.database.models import Acknowledgement, As2Inbound, As2Outbound, Transmission, WorkItem
from gateway.database.row_ids import new_row_id
from gateway.delivery import DELIVER_ACKNOWLEDGEMENT, DELIVER_OUTBOUND, DeliveryError, OutboundFile
from partners.profile import PartnerProfile

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def deliver(gw: Gateway, item: OutboundFile) -> dict[str, Any]:
    """The "as2" deliverer: an MDN we owe goes to its async URL, anything else is sent as a message."""
    if item.session is None:
        raise DeliveryError("AS2 delivery needs the worker's session")
    if item.kind == "MDN":
        return _deliver_async_mdn(gw, item.session, item)
    return _send(gw, item.session, item)


# ------------------------------------------------------------------------------- our async MDNs


def _deliver_async_mdn(gw: Gateway, session: Session, item: OutboundFile) -> dict[str, Any]:
    row = session.execute(
        select(As2Inbound).where(As2Inbound.mdn_acknowledgement_id == item.subject_id)
    ).scalar_one_or_none()
    if row is None or not row.mdn_url:
        raise DeliveryError("no asynchronous MDN destination is recorded for this acknowledgement")
    settings = item.partner.as2
    # Checked again at send time: the allow-list may have been narrowed since the message arrived.
    if settings is None or not settings.async_mdn_url_allowed(row.mdn_url):
        raise DeliveryError(f"async MDN URL {row.mdn_url!r} is not allowed for {item.partner.id}")
    body = item.data.split(b"\r\n\r\n", 1)[1]
    try:
        response = httpx.post(row.mdn_url, content=body, headers=row.mdn_headers, timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"async MDN to {row.mdn_url} failed: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"async MDN to {row.mdn_url} answered HTTP {response.status_code}")
    return {"channel": "as2", "mdn_url": row.mdn_url, "http_status": response.status_code}


# ------------------------------------------------------------------------------ sending messages


def _send(gw: Gateway, session: Session, item: OutboundFile) -> dict[str, Any]:
    partner = item.partner
    settings = partner.as2
    own = gw.partners.company.as2
    if settings is None or settings.url is None or own is None:
        raise DeliveryError(f"partner {partner.id} has no AS2 URL, or we have no [as2] identity")
    now = gw.clock()
    row = session.execute(
        select(As2Outbound).where(As2Outbound.acknowledgement_id == item.subject_id)
    ).scalar_one_or_none()
    if row is not None and row.state == "delivered":
        return {"channel": "as2", "as2_message_id": row.message_id, "note": "MDN already received"}
    if row is not None and row.state == "awaiting_mdn":
        if row.mdn_deadline is not None and now < row.mdn_deadline:
            return {"delivery_state": "awaiting_mdn", "channel": "as2", "as2_message_id": row.message_id}
        _event(gw, session, item, "as2_mdn_missing", {"as2_message_id": row.message_id, "sends": row.sends})
        log.warning(
            "no MDN from %s for %s within %ss", partner.id, row.message_id, settings.mdn_timeout_seconds
        )
    if row is not None and row.sends >= settings.max_sends:
        raise DeliveryError(
            f"AS2 message {row.message_id} got no positive MDN after {row.sends} sends "
            f"(last: {row.last_error or row.disposition or 'no MDN'})"
        )
    if row is None:
        row = As2Outbound(
            message_id=new_message_id(own.id),
            acknowledgement_id=item.subject_id,
            partner_id=partner.id,
            state="awaiting_mdn",
            sends=0,
            mdn_mode=settings.mdn,
            mdn_signed=settings.mdn_signed,
        )
        session.add(row)
    message = _build(gw, partner, item, row.message_id, now)
    row.sends += 1
    row.sent_at = now
    row.mic, row.mic_algorithm = message.mic, message.mic_algorithm
    row.state = "awaiting_mdn"
    row.mdn_mode = settings.mdn
    response = _post(settings.url, message)
    details: dict[str, Any] = {
        "channel": "as2",
        "url": settings.url,
        "as2_message_id": message.message_id,
        "mic": f"{message.mic}, {message.mic_algorithm}",
        "send": row.sends,
        "http_status": response.status_code,
    }
    if settings.mdn == "none":
        row.state = "delivered"
        return details
    if settings.mdn == "async":
        row.mdn_deadline = now + timedelta(seconds=settings.mdn_timeout_seconds)
        session.add(_work_item(session, item.subject_id, row.mdn_deadline, now))
        return {**details, "delivery_state": "awaiting_mdn", "mdn_deadline": row.mdn_deadline.isoformat()}
    content_type = response.headers.get("content-type", "")
    if not response.content:
        raise DeliveryError(f"{partner.id} returned no synchronous MDN for {message.message_id}")
    mdn_blob = _raw_http(dict(response.headers), response.content)
    mdn_sha = gw.archive.put(mdn_blob)
    problem, read = _judge(gw, partner, row, content_type, response.content, now)
    row.mdn_sha256 = mdn_sha
    if problem is not None:
        # Rolled back with the failed delivery; the archived MDN and the error text remain as evidence.
        log.warning("AS2 delivery to %s: %s", partner.id, problem)
        raise DeliveryError(f"{problem} (MDN archived as {mdn_sha})")
    assert read is not None
    row.state = "delivered"
    row.disposition = read.disposition.render()[:255]
    _record_inbound_mdn(gw, session, item, read, mdn_sha, len(mdn_blob))
    return {**details, "mdn": read.disposition.render(), "mdn_signed": read.signed, "mdn_sha256": mdn_sha}


def _build(
    gw: Gateway, partner: PartnerProfile, item: OutboundFile, message_id: str, now: datetime
) -> BuiltMessage:
    settings = partner.as2
    own = gw.partners.company.as2
    assert settings is not None and own is not None
    base = gw.settings.data_dir
    try:
        signer = our_key_pairs(own, base)[0] if settings.sign else None
        recipient = encryption_certificate(settings, base, now) if settings.encrypt else None
        return build_message(
            item.data,
            message_id=message_id,
            filename=item.filename,
            content_type=content_type_for(partner.syntax),
            our_id=own.id,
            settings=settings,
            signer=signer,
            recipient=recipient,
            mdn_url=own.mdn_url,
            subject=f"{item.kind} {item.control_reference}",
        )
    except (CertificateError, ValueError) as exc:
        raise DeliveryError(f"cannot build the AS2 message for {partner.id}: {exc}") from exc


def _post(url: str, message: BuiltMessage) -> httpx.Response:
    try:
        response = httpx.post(url, content=message.body, headers=message.headers, timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"POST {url} failed: {type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"POST {url} answered HTTP {response.status_code}: {response.text[:200]}")
    return response


def _judge(
    gw: Gateway, partner: PartnerProfile, row: As2Outbound, content_type: str, body: bytes, now: datetime
) -> tuple[str | None, ReadMdn | None]:
    """Why this MDN does not confirm delivery (None when it does), and the MDN as read."""
    settings = partner.as2
    assert settings is not None
    try:
        trusted = load_certificates(settings.certificates, gw.settings.data_dir)
        read = read_mdn(content_type, body, trusted, settings.allowed_digests)
    except (MdnError, CertificateError) as exc:
        return f"MDN from {partner.id} is not acceptable: {exc}", None
    if row.mdn_signed and not read.signed:
        return f"MDN from {partner.id} is unsigned but a signed MDN was requested", read
    if read.original_message_id and read.original_message_id != row.message_id:
        return f"MDN answers {read.original_message_id!r}, not {row.message_id!r}", read
    if not read.disposition.ok:
        return f"negative MDN from {partner.id}: {read.disposition.render()}", read
    if read.mic is None or read.mic_algorithm is None:
        return f"MDN from {partner.id} carries no Received-content-MIC", read
    if not mic_names.same(read.mic, read.mic_algorithm, row.mic or "", row.mic_algorithm or ""):
        return (
            f"MIC mismatch: {partner.id} computed {read.mic}, {read.mic_algorithm}; we sent "
            f"{row.mic}, {row.mic_algorithm}",
            read,
        )
    return None, read


def _record_inbound_mdn(
    gw: Gateway, session: Session, item: OutboundFile, read: ReadMdn, sha: str, size: int
) -> None:
    original = session.get(Acknowledgement, item.subject_id)
    # An ERP document (outbound transmission) is answered by the MDN directly.
    sent = session.get(Transmission, item.subject_id) if original is None else None
    if original is None and sent is None:
        return
    session.add(
        Acknowledgement(
            id=new_row_id(),
            direction="inbound",
            type="MDN",
            status="accepted" if read.disposition.ok else "rejected",
            partner_id=item.partner.id,
            transmission_id=original.transmission_id if original is not None else item.subject_id,
            answers_transmission_id=None if original is not None else item.subject_id,
            control_reference=original.control_reference if original is not None else item.control_reference,
            sha256=sha,
            size=size,
            created_at=gw.clock(),
            delivery_state="delivered",
            delivered_at=gw.clock(),
        )
    )


def _work_item(session: Session, subject_id: str, at: datetime, now: datetime) -> WorkItem:
    """Retry or MDN-deadline check for what was sent: an acknowledgement, or an ERP document."""
    kind = (
        DELIVER_ACKNOWLEDGEMENT if session.get(Acknowledgement, subject_id) is not None else DELIVER_OUTBOUND
    )
    return WorkItem(
        kind=kind,
        subject_id=subject_id,
        state="queued",
        attempts=0,
        available_at=at,
        created_at=now,
    )


def _event(gw: Gateway, session: Session, item: OutboundFile, action: str, details: dict[str, Any]) -> None:
    append_events(
        session, [AuditEntry("worker", "acknowledgement", item.subject_id, action, details)], gw.clock
    )


def _raw_http(headers: dict[str, str], body: bytes) -> bytes:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return lines.encode("latin-1", "replace") + b"\r\n" + body


# --------------------------------------------------------------------------- POST /as2/mdn


def receive_async_mdn(gw: Gateway, request: As2Request) -> Answer:
    """An asynchronous MDN for a message we sent: verify it, then settle or reschedule the delivery."""
    as2_from = unquote_id(request.header("as2-from"))
    content_type = request.header("content-type") or ""
    partner = find_partner(gw, as2_from) if as2_from else None
    if partner is None or partner.as2 is None:
        return Answer(400, {"Content-Type": "text/plain"}, b"unknown or missing AS2-From\n")
    mdn_blob = _raw_http(dict(request.headers), request.body)
    mdn_sha = gw.archive.put(mdn_blob)
    try:
        trusted = load_certificates(partner.as2.certificates, gw.settings.data_dir)
        read = read_mdn(content_type, request.body, trusted, partner.as2.allowed_digests)
    except (MdnError, CertificateError) as exc:
        with gw.sessions.begin() as session:
            append_events(
                session,
                [
                    AuditEntry(
                        f"partner:{partner.id}",
                        "as2_mdn",
                        mdn_sha[:64],
                        "as2_mdn_rejected",
                        {"reason": str(exc), "mdn_sha256": mdn_sha},
                    )
                ],
                gw.clock,
            )
        return Answer(400, {"Content-Type": "text/plain"}, f"MDN not accepted: {exc}\n".encode())
    now = gw.clock()
    with gw.sessions.begin() as session:
        row = session.get(As2Outbound, read.original_message_id, with_for_update=True)
        if row is None or row.partner_id != partner.id:
            return Answer(
                404, {"Content-Type": "text/plain"}, b"no message of yours has this Original-Message-ID\n"
            )
        ack = session.get(Acknowledgement, row.acknowledgement_id)
        problem = _judge_async(row, read)
        row.mdn_sha256 = mdn_sha
        row.disposition = read.disposition.render()[:255]
        details = {
            "as2_message_id": row.message_id,
            "disposition": read.disposition.render(),
            "mdn_signed": read.signed,
            "mdn_sha256": mdn_sha,
        }
        if problem is None:
            row.state = "delivered"
            row.last_error = None
            if ack is not None:
                ack.delivery_state = "delivered"
                ack.delivered_at = now
            action = "as2_mdn_received"
        else:
            row.state = "failed"
            row.last_error = problem
            details["problem"] = problem
            log.warning("AS2 delivery to %s: %s", partner.id, problem)
            final = row.sends >= (partner.as2.max_sends)
            if ack is not None:
                ack.delivery_state = "failed" if final else "retrying"
            if not final:
                backoff = timedelta(seconds=min(2**row.sends * 30, 3600))
                session.add(_work_item(session, row.acknowledgement_id, now + backoff, now))
            action = "as2_mdn_negative"
            details["final"] = final
        if ack is not None:
            session.add(
                Acknowledgement(
                    id=new_row_id(),
                    direction="inbound",
                    type="MDN",
                    status="accepted" if problem is None else "rejected",
                    partner_id=partner.id,
                    transmission_id=ack.transmission_id,
                    control_reference=ack.control_reference,
                    sha256=mdn_sha,
                    size=len(mdn_blob),
                    created_at=now,
                    delivery_state="delivered",
                    delivered_at=now,
                )
            )
        append_events(
            session,
            [AuditEntry(f"partner:{partner.id}", "acknowledgement", row.acknowledgement_id, action, details)],
            gw.clock,
        )
    gw.work_available.set()
    return Answer(200, {"Content-Type": "text/plain"}, b"MDN received\n")


def _judge_async(row: As2Outbound, read: ReadMdn) -> str | None:
    if row.mdn_signed and not read.signed:
        return "unsigned MDN where a signed one was requested"
    if not read.disposition.ok:
        return f"negative MDN: {read.disposition.render()}"
    if read.mic is None or read.mic_algorithm is None:
        return "MDN carries no Received-content-MIC"
    if not mic_names.same(read.mic, read.mic_algorithm, row.mic or "", row.mic_algorithm or ""):
        return f"MIC mismatch: partner computed {read.mic}, {read.mic_algorithm}; we sent {row.mic}"
    return None
