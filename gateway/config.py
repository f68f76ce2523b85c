"""Settings from flags and ``EDIGATE_*`` environment variables.

One object, built once at start and passed in; nothing reads the environment later.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EDIGATE_", extra="ignore")

    data_dir: Path = Field(default=Path("edigate-data"), description="Database, archive and keys live here")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file edigate.db in the data directory"
    )
    partners_dir: Path | None = Field(
        default=None, description="Folder of partner profiles (TOML); default: <data dir>/partners"
    )
    archive_dir: Path | None = Field(
        default=None, description="Raw-message store; default: <data dir>/archive"
    )
    host: str = Field(default="127.0.0.1", description="HTTP listen address")
    port: int = Field(default=8080, description="HTTP port")
    demo: bool = Field(default=False, description="Load the demo partners and the demo operator admin/admin")
    inprocess_worker: bool = Field(default=True, description="Run a worker thread inside `edigate serve`")
    lease_seconds: int = Field(default=60, description="How long a claimed job stays with its worker")
    poll_seconds: float = Field(default=0.5, description="How often an idle worker looks for work")
    max_body_bytes: int = Field(default=100 * 1024 * 1024, description="Largest accepted upload")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'edigate.db').resolve()}"

    def resolved_archive_dir(self) -> Path:
        return self.archive_dir or self.data_dir / "archive"

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
