"""The ERP outbox: a document exists exactly when its outbox entries do, one per configured channel;
operators act on it from the command line; the settings refuse what cannot work."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from gateway.cli import main
from gateway.config import Settings
from gateway.database.models import Document, ErpDelivery, WorkItem
from gateway.erp.outbox import DELIVER_TO_ERP
from tests.gateway.test_erp_support import SECRET, SUPPLIER_FILES, closed_port_url, submit_file


def _count(gw, model, *where) -> int:
    with gw.sessions() as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_every_document_gets_one_entry_per_configured_channel(make_gateway, drain, tmp_path):
    gw = make_gateway(
        erp_webhook_url=closed_port_url(), erp_webhook_secret=SECRET, erp_file_drop_dir=tmp_path / "drop"
    )
    for name in SUPPLIER_FILES:
        submit_file(gw, name)
    drain(gw)
    with gw.sessions() as session:
        documents = session.execute(select(Document.id).order_by(Document.created_at)).scalars().all()
        rows = session.execute(select(ErpDelivery).order_by(ErpDelivery.id)).scalars().all()
    assert len(documents) == 3
    channels = {d: sorted(r.channel for r in rows if r.document_id == d) for d in documents}
    assert all(c == ["file_drop", "pull", "webhook"] for c in channels.values())
    # Outbox positions follow document creation.
    firsts = [min(r.id for r in rows if r.document_id == d) for d in documents]
    assert firsts == sorted(firsts)


def test_only_pull_by_default_and_nothing_when_every_mode_is_off(make_gateway, drain):
    gw = make_gateway()
    submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    assert _count(gw, ErpDelivery) == _count(gw, ErpDelivery, ErpDelivery.channel == "pull") == 1
    assert _count(gw, WorkItem, WorkItem.kind == DELIVER_TO_ERP) == 0  # pull needs no worker

    quiet = make_gateway(erp_pull=False)
    submit_file(quiet, SUPPLIER_FILES[1])
    drain(quiet)
    assert _count(quiet, Document) == 2 and _count(quiet, ErpDelivery) == 1


def test_outbox_entries_roll_back_with_the_documents(make_gateway, drain, monkeypatch, clock, tmp_path):
    """The pipeline fails after the documents were added: neither documents nor outbox rows remain,
    and when it succeeds later each document has its entries exactly once."""
    import gateway.pipeline

    gw = make_gateway(erp_file_drop_dir=tmp_path / "drop")
    real_acknowledge = gateway.pipeline._acknowledge

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("worker died mid-way")

    monkeypatch.setattr(gateway.pipeline, "_acknowledge", crash)
    submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    assert _count(gw, Document) == 0
    assert _count(gw, ErpDelivery) == 0
    assert _count(gw, WorkItem, WorkItem.kind == DELIVER_TO_ERP) == 0

    monkeypatch.setattr(gateway.pipeline, "_acknowledge", real_acknowledge)
    clock.advance(hours=1)
    drain(gw)
    assert _count(gw, Document) == 1
    assert _count(gw, ErpDelivery) == 2
    assert _count(gw, ErpDelivery, ErpDelivery.state == "delivered") == 1  # the file drop
    assert len(list((tmp_path / "drop").iterdir())) == 1


def test_cli_replays_dead_deliveries_and_shows_status(make_gateway, drain, monkeypatch, capsys):
    gw = make_gateway(
        erp_webhook_url=closed_port_url(), erp_webhook_secret=SECRET, erp_webhook_max_attempts=1
    )
    submit_file(gw, SUPPLIER_FILES[0])
    drain(gw)
    with gw.sessions() as session:
        document_id = session.execute(select(Document.id)).scalar_one()
    monkeypatch.setenv("EDIGATE_ERP_WEBHOOK_URL", gw.settings.erp_webhook_url or "")
    monkeypatch.setenv("EDIGATE_ERP_WEBHOOK_SECRET", SECRET)
    args = [
        "--demo",
        "--data-dir",
        str(gw.settings.data_dir),
        "--database-url",
        gw.settings.resolved_database_url(),
    ]

    assert main(["erp", "status", *args]) == 0
    assert "webhook    dead" in capsys.readouterr().out
    assert main(["erp", "replay", "--dead", "--reason", "ERP is back", *args]) == 0
    assert "1 dead delivery queued again" in capsys.readouterr().out
    assert _count(gw, ErpDelivery, ErpDelivery.state == "queued", ErpDelivery.channel == "webhook") == 1
    assert main(["erp", "replay", document_id, "--reason", "again", *args]) == 1  # already queued
    assert "no dead or delivered delivery" in capsys.readouterr().err
    assert main(["erp", "replay", "--reason", "nothing named", *args]) == 2
    assert main(["erp", "enable-webhook", "--reason", "was never disabled", *args]) == 0
    assert "0 held deliveries queued again" in capsys.readouterr().out
    secret_body = SECRET.removeprefix("whsec_")
    assert secret_body not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"erp_webhook_url": "https://erp.example/hook"}, "needs EDIGATE_ERP_WEBHOOK_SECRET"),
        ({"erp_webhook_secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "must start with 'whsec_'"),
        ({"erp_webhook_secret": "whsec_not base64!"}, "not valid base64"),
        ({"erp_webhook_secret": "whsec_c2hvcnQ="}, "at least 24 bytes"),
        ({"erp_api_key_sha256": "not-a-digest"}, "64 hex digits"),
        ({"erp_file_drop_format": "csv"}, "erp_file_drop_format"),
    ],
)
def test_settings_refuse_what_cannot_work_without_echoing_secrets(overrides, problem):
    with pytest.raises(ValidationError) as raised:
        Settings(**overrides)
    assert problem in str(raised.value)
    for value in overrides.values():
        if "whsec" in str(value) or "MfKQ" in str(value):
            assert str(value) not in str(raised.value)


def test_key_hashes_come_as_a_comma_separated_or_json_list(monkeypatch):
    one, two = "a" * 64, "B" * 64
    monkeypatch.setenv("EDIGATE_ERP_API_KEY_SHA256", f"{one}, {two}")
    assert Settings().erp_api_key_sha256 == [one, two.lower()]
    monkeypatch.setenv("EDIGATE_ERP_API_KEY_SHA256", f'["{one}"]')
    assert Settings().erp_api_key_sha256 == [one]


def test_the_secret_never_appears_in_the_settings_repr():
    settings = Settings(erp_webhook_url="https://erp.example/hook", erp_webhook_secret=SECRET)
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())
