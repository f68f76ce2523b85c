"""Settings from flags and ``EDIGATE_*`` environment variables.

One object, built once at start and passed in; nothing reads the environment later.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Commercial law keeps invoices longest (e.g. 8 years in Germany since 2025, HGB §257 / AO §147);
# other business letters and the evidence that they arrived, 6 years.
RETENTION_DEFAULTS: dict[str, int] = {
    "purchase_order": 6,
    "order_response": 6,
    "delivery_note": 6,
    "invoice": 8,
    "acknowledgement": 6,
    "default": 6,
}


class Settings(BaseSettings):
    # Inputs stay out of validation errors: the settings hold secrets (the ERP webhook secret).
    model_config = SettingsConfigDict(env_prefix="EDIGATE_", extra="ignore", hide_input_in_errors=True)

    data_dir: Path = Field(default=Path("edigate-data"), description="Database, archive and keys live here")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file edigate.db in the data directory"
    )
    partners_dir: Path | None = Field(
        default=None, description="Folder of partner profiles (TOML); default: <data dir>/partners"
    )
    archive_dir: Path | None = Field(
        default=None,
        description="Raw-message store; default: <data dir>/archive. With several nodes: a folder every "
        "node mounts (NFS, SMB), or EDIGATE_ARCHIVE_URL",
    )
    audit_signing_key: Path | None = Field(
        default=None,
        description="Ed25519 key that signs audit digests, kept outside the database (created on first "
        "use, mode 0600, public key beside it as .pub); default: <data dir>/keys/audit-signing.key",
    )
    archive_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix: keep raw messages in an S3-compatible bucket instead of a folder",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint for MinIO, Ceph and the like; default: AWS"
    )
    s3_region: str | None = Field(default=None, description="S3 region; default: boto3's (AWS_REGION)")
    s3_access_key_id: str | None = Field(
        default=None, description="S3 access key; default: boto3's chain (AWS_* variables, roles)"
    )
    s3_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key")
    host: str = Field(default="127.0.0.1", description="HTTP listen address")
    port: int = Field(default=8080, description="HTTP port")
    demo: bool = Field(default=False, description="Load the demo partners and the demo operator admin/admin")
    demo_auto_accept: bool = Field(
        default=False,
        description="Demo ERP stand-in: answer every customer's purchase order with an acceptance "
        "(on by default with `edigate serve --demo`)",
    )
    inprocess_worker: bool = Field(default=True, description="Run a worker thread inside `edigate serve`")
    worker_processes: int = Field(
        default=0,
        ge=0,
        description="`edigate serve` processes work in this many child `edigate worker` processes "
        "instead of its worker thread, so intake and processing use separate cores; 0: the thread",
    )
    lease_seconds: int = Field(default=60, description="How long a claimed job stays with its worker")
    poll_seconds: float = Field(default=0.5, description="How often an idle worker looks for work")
    worker_batch: int = Field(
        default=32, ge=1, description="Transmissions a worker claims and commits together"
    )
    worker_gather_seconds: float = Field(
        default=0.02,
        ge=0,
        description="After a batch of fewer than 16 items, how long a worker lets more queue before it "
        "claims again; 0: claim at once",
    )
    max_body_bytes: int = Field(default=100 * 1024 * 1024, description="Largest accepted upload")
    stream_threshold_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=0,
        description="EDIFACT files from this size on are read and stored message by message",
    )
    partners_reload_seconds: float = Field(
        default=2.0, ge=0, description="How often profile files are checked for changes; 0: never reload"
    )
    admin_api_key_sha256: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SHA-256 (hex) of each admin API key (/v1/admin); comma-separated or a JSON list",
    )
    sftp_port: int | None = Field(
        default=None, description="Run the partners' SFTP server on this port (off when unset)"
    )
    sftp_host: str | None = Field(default=None, description="SFTP listen address; default: the HTTP host")

    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Log lines: JSON objects, human text, or auto (text on a terminal, JSON otherwise)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe level written to the log"
    )

    # Delivery of canonical documents to the ERP (gateway/erp). Any combination of modes may be on.
    erp_webhook_url: str | None = Field(
        default=None, description="POST every document here (Standard Webhooks); needs the secret"
    )
    erp_webhook_secret: SecretStr | None = Field(
        default=None, description="Standard Webhooks signing secret: 'whsec_' + base64 of the key bytes"
    )
    # 20 attempts with the default back-off span 6 to 11 hours, so an ERP that is down for an hour
    # or a night's maintenance window delays documents but sends none to the dead letter.
    erp_webhook_max_attempts: int = Field(
        default=20, ge=1, description="Webhook attempts before a document goes to the dead letter"
    )
    erp_webhook_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for the ERP")
    erp_webhook_backoff_seconds: float = Field(
        default=10.0, gt=0, description="First retry delay; doubles per attempt, with jitter"
    )
    erp_webhook_backoff_max_seconds: float = Field(
        default=3600.0, gt=0, description="Longest delay between two attempts"
    )
    erp_file_drop_dir: Path | None = Field(
        default=None, description="Write every document into this folder (temporary name, then rename)"
    )
    erp_file_drop_format: Literal["json", "ubl"] = Field(
        default="json", description="File drop format: canonical JSON or UBL 2.1 XML"
    )
    erp_file_drop_max_attempts: int = Field(
        default=8, ge=1, description="File drop attempts (e.g. disk full) before the dead letter"
    )
    erp_pull: bool = Field(default=True, description="Offer documents on GET /v1/documents until acked")
    erp_pull_visibility_seconds: int = Field(
        default=300, ge=1, description="An offered, unacknowledged document is offered again after this"
    )
    erp_api_key_sha256: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SHA-256 (hex) of each ERP API key; comma-separated or a JSON list",
    )

    retention_years: dict[str, int] = Field(
        default_factory=lambda: dict(RETENTION_DEFAULTS),
        description="Years a record is kept after the end of the year it was created, per document type "
        "(purchase_order, order_response, delivery_note, invoice, acknowledgement) and 'default' for "
        "messages that produced no document; a JSON object, merged over the defaults",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("erp_webhook_secret")
    @classmethod
    def _standard_webhooks_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a malformed secret at start, not at the first delivery hours later."""
        if value is not None:
            erp_webhook_key(value)
        return value

    @field_validator("erp_api_key_sha256", "admin_api_key_sha256", mode="before")
    @classmethod
    def _key_hash_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("erp_api_key_sha256", "admin_api_key_sha256")
    @classmethod
    def _key_hashes_are_sha256(cls, value: list[str]) -> list[str]:
        normalised = [v.lower() for v in value]
        for digest in normalised:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError("each API key hash must be 64 hex digits (SHA-256 of the key)")
        return normalised

    @field_validator("retention_years")
    @classmethod
    def _known_record_kinds(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(RETENTION_DEFAULTS))
        if unknown:
            known = ", ".join(RETENTION_DEFAULTS)
            raise ValueError(f"retention_years: unknown record kind(s) {', '.join(unknown)}; known: {known}")
        if any(years < 1 for years in value.values()):
            raise ValueError("retention_years: every period must be at least 1 year")
        return {**RETENTION_DEFAULTS, **value}

    @field_validator("archive_url")
    @classmethod
    def _s3_url(cls, value: str | None) -> str | None:
        """Refuse a malformed URL at start rather than at the first upload."""
        if value is not None:
            from archive.s3_store import parse_s3_url

            parse_s3_url(value)
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # An unsigned webhook would let anyone who finds the ERP's URL inject documents.
        if self.erp_webhook_url and self.erp_webhook_secret is None:
            raise ValueError("EDIGATE_ERP_WEBHOOK_URL needs EDIGATE_ERP_WEBHOOK_SECRET (whsec_…)")
        return self

    @model_validator(mode="after")
    def _one_sqlite_worker(self) -> Settings:
        # A worker on SQLite takes back at start everything left running (the node's only worker
        # died); a second one would take back what its living sibling holds.
        if self.worker_processes > 1 and self.resolved_database_url().startswith("sqlite"):
            raise ValueError(
                f"EDIGATE_WORKER_PROCESSES={self.worker_processes}: SQLite takes one worker process; "
                "use PostgreSQL (EDIGATE_DATABASE_URL) for more"
            )
        return self

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'edigate.db').resolve()}"

    def resolved_archive_dir(self) -> Path:
        return self.archive_dir or self.data_dir / "archive"

    def resolved_audit_signing_key(self) -> Path:
        return self.audit_signing_key or self.data_dir / "keys" / "audit-signing.key"

    def resolved_partners_dir(self) -> Path:
        if self.partners_dir is not None:
            return self.partners_dir
        if self.demo:
            from partners.loader import demo_directory_path

            return demo_directory_path()
        return self.data_dir / "partners"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")


def erp_webhook_key(secret: SecretStr) -> bytes:
    """The HMAC key of a Standard Webhooks secret: the base64 after the ``whsec_`` prefix."""
    raw = secret.get_secret_value()
    if not raw.startswith("whsec_"):
        raise ValueError("the ERP webhook secret must start with 'whsec_' (Standard Webhooks)")
    try:
        key = base64.b64decode(raw.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise ValueError("the ERP webhook secret after 'whsec_' is not valid base64") from None
    if len(key) < 24:
        raise ValueError("the ERP webhook secret must hold at least 24 bytes (Standard Webhooks)")
    return key
