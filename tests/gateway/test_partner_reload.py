"""Partner profiles reload without a restart; a broken edit is refused and the old profiles keep serving."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from gateway.api.app import create_app
from gateway.duties import DutyRunner
from gateway.partner_reload import PartnerWatcher, reload_partners
from partners.apikey import hash_api_key
from tests.gateway.profile_folder import events, post_order
from tests.gateway.test_sftp_support import with_partner_sftp

OLD_KEY, NEW_KEY = "demo-acme-key", "acme-rotated-key-0123456789"


def _rotate_in_file(folder: Path) -> None:
    profile = folder / "acme-retail.toml"
    profile.write_text(profile.read_text().replace(hash_api_key(OLD_KEY), hash_api_key(NEW_KEY)))


def test_an_edited_profile_is_picked_up_new_key_works_old_key_refused(gw, api, folder):
    assert post_order(api, OLD_KEY) == 202
    _rotate_in_file(folder)

    result = reload_partners(gw)

    assert result.status == "reloaded" and result.changed == ["acme-retail.toml"]
    assert post_order(api, NEW_KEY) == 202
    assert post_order(api, OLD_KEY) == 401
    [event] = events(gw, "partners_reloaded")
    assert event.actor == "system" and event.details["changed"] == ["acme-retail.toml"]
    assert event.details["process"].endswith(f":{os.getpid()}")


def test_a_broken_profile_is_refused_and_the_previous_one_keeps_serving(gw, api, folder):
    before = gw.partners
    profile = folder / "acme-retail.toml"
    profile.write_text(profile.read_text().replace('role = "customer"', 'role = "custmer"'))

    result = reload_partners(gw)

    assert result.status == "refused" and gw.partners is before
    [problem] = result.problems
    assert (problem.file, problem.location, problem.code) == ("acme-retail.toml", "role", "INVALID_VALUE")
    assert post_order(api, OLD_KEY) == 202  # the old profile still serves
    [event] = events(gw, "partners_reload_refused")
    assert event.details["changed"] == ["acme-retail.toml"]
    assert event.details["problems"][0]["location"] == "role"

    assert reload_partners(gw).status == "refused"
    assert len(events(gw, "partners_reload_refused")) == 1  # one refusal per broken state, not per poll

    profile.write_text(profile.read_text().replace('role = "custmer"', 'role = "customer"'))
    assert reload_partners(gw).status == "unchanged"  # back to what is loaded: nothing to do
    _rotate_in_file(folder)
    assert reload_partners(gw).status == "reloaded"
    assert post_order(api, NEW_KEY) == 202


def test_a_secret_pasted_into_a_refused_profile_is_not_echoed_in_the_audit_trail(gw, folder):
    profile = folder / "acme-retail.toml"
    text = profile.read_text().replace(hash_api_key(OLD_KEY), "the-raw-secret-key")
    profile.write_text(re.sub(r'password_hash = "[^"]*"', 'password_hash = "the-raw-password"', text))
    result = reload_partners(gw)
    assert result.status == "refused"
    assert {p.location for p in result.problems} == {"api_key_sha256[0]", "sftp.password_hash"}
    [event] = events(gw, "partners_reload_refused")
    assert "the-raw-secret-key" not in str(event.details) and "the-raw-password" not in str(event.details)


def test_an_unchanged_folder_is_not_reloaded(gw):
    before = gw.partners
    assert reload_partners(gw).status == "unchanged"
    assert gw.partners is before and events(gw, "partners_reloaded") == []


def test_added_and_removed_profiles_are_reported_and_applied(gw, folder):
    shutil.copy(folder / "globex.toml", folder / "globex-two.toml")
    text = (folder / "globex-two.toml").read_text()
    text = text.replace('id = "globex"', 'id = "globex-two"').replace('id = "GLOBEX"', 'id = "GLOBEX2"')
    (folder / "globex-two.toml").write_text(text.replace(hash_api_key("demo-globex-key"), "0" * 64))
    (folder / "contoso.toml").unlink()

    result = reload_partners(gw, actor="operator:anna")

    assert result.status == "reloaded"
    assert (result.added, result.removed) == (["globex-two.toml"], ["contoso.toml"])
    assert "globex-two" in gw.partners and "contoso" not in gw.partners
    [event] = events(gw, "partners_reloaded")
    assert event.actor == "operator:anna"


class _TwoPolls(threading.Event):
    """A stop event that lets the watcher poll twice, then stops it: no sleeping, no timing."""

    def __init__(self) -> None:
        super().__init__()
        self.polls = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.polls += 1
        return self.polls > 2


def test_the_watcher_reloads_changed_files_on_its_own(make_gateway, folder):
    gw = make_gateway(partners_dir=folder, partners_reload_seconds=2)
    _rotate_in_file(folder)
    PartnerWatcher(gw).run_forever(_TwoPolls())
    assert gw.partners.by_api_key(NEW_KEY).id == "acme-retail"
    assert len(events(gw, "partners_reloaded")) == 1  # the second poll found nothing new


def _threads(name: str) -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == name}


def test_serve_runs_the_watcher_next_to_the_worker_and_stops_it_on_shutdown(make_gateway, folder):
    gw = make_gateway(partners_dir=folder, partners_reload_seconds=60)
    already = _threads("edigate-partner-watcher")
    with TestClient(create_app(gw, run_worker=False)):
        [running] = _threads("edigate-partner-watcher") - already
        assert running.is_alive()
    assert not running.is_alive()


def test_a_partner_switched_to_polling_by_a_reload_gets_its_polling_duty(gw):
    """Duties are asked for afresh every round, so the swap of gw.partners is all it takes."""
    runner = DutyRunner(gw)
    try:
        assert not polls(runner)
        with_partner_sftp(
            gw,
            "supplier-one",
            mode="poll",
            host="127.0.0.1",
            port=22,
            username="edigate",
            host_key_fingerprint="SHA256:" + "A" * 43,
            private_key_file="keys/supplier-one_poll",
            pickup_dir="/out",
            upload_dir="/in",
        )
        assert polls(runner) == ["sftp-poll:supplier-one"]
    finally:
        runner.close()


def polls(runner: DutyRunner) -> list[str]:
    return [duty.name for duty in runner.duties() if duty.name.startswith("sftp-poll:")]
