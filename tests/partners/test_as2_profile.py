"""The ``[as2]`` profile sections: what an operator may write, and what is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from partners.as2 import As2Settings, OwnAs2Settings
from partners.loader import demo_directory_path, load_directory


def test_demo_profiles_name_our_station_and_acme() -> None:
    directory = load_directory(demo_directory_path())
    assert directory.company.as2 is not None and directory.company.as2.id == "EDIGATE-DEMO"
    acme = directory.get("acme-retail")
    assert acme is not None and acme.as2 is not None
    assert acme.as2.id == "ACME-RETAIL" and acme.as2.must_sign


@pytest.mark.parametrize("as2_id", ["ACME RETAIL", "a", "Z" * 128, "mecas2"])
def test_printable_as2_ids_up_to_128_characters_are_accepted(as2_id: str) -> None:
    assert As2Settings(id=as2_id, certificates=["c.pem"]).id == as2_id


@pytest.mark.parametrize("as2_id", ["", " lead", 'quo"te', "Z" * 129, "tab\there", "é"])
def test_invalid_as2_ids_are_refused(as2_id: str) -> None:
    with pytest.raises(ValidationError):
        As2Settings(id=as2_id, certificates=["c.pem"])


def test_a_partner_needs_at_least_one_certificate() -> None:
    with pytest.raises(ValidationError):
        As2Settings(id="X", certificates=[])


def test_weak_algorithms_cannot_be_allowed() -> None:
    with pytest.raises(ValidationError):
        As2Settings(id="X", certificates=["c.pem"], allowed_digests=["md5"])
    with pytest.raises(ValidationError):
        As2Settings(id="X", certificates=["c.pem"], allowed_ciphers=["rc2"])


def test_misspelt_keys_are_errors() -> None:
    with pytest.raises(ValidationError):
        As2Settings(id="X", certificates=["c.pem"], must_sing=True)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://as2.acme.example/mdn", True),
        ("https://as2.acme.example/mdn/inbox", True),
        ("https://as2.acme.example/mdnx", False),
        ("https://as2.acme.example.evil.test/mdn", False),
        ("http://169.254.169.254/", False),
    ],
)
def test_async_mdn_urls_must_match_an_allowed_prefix(url: str, allowed: bool) -> None:
    settings = As2Settings(id="X", certificates=["c.pem"], async_mdn_urls=["https://as2.acme.example/mdn"])
    assert settings.async_mdn_url_allowed(url) is allowed


def test_own_station_takes_paths_or_inline_pem_and_no_password() -> None:
    own = OwnAs2Settings(id="US", certificate="-----BEGIN CERTIFICATE-----\nAAAA\n", key="certs/us.key")
    assert own.key_password_env is None
    with pytest.raises(ValidationError):
        OwnAs2Settings(id="US", certificate="c.pem", key="k.pem", key_password="secret")  # type: ignore[call-arg]
