"""Development credentials for the embedded default, created on first start under the data directory.

The file is written with mode 0600 and its contents are never logged: start-up prints only where it is.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "credentials.json"


@dataclass(frozen=True, slots=True)
class Credentials:
    wallet_key_id: str
    wallet_secret: str
    path: Path | None


def load_or_create(data_dir: Path, key_id: str) -> Credentials:
    path = data_dir / FILE_NAME
    if path.exists():
        data = json.loads(path.read_text())
        return Credentials(data["wallet_key_id"], data["wallet_secret"], path)
    data_dir.mkdir(parents=True, exist_ok=True)
    creds = {"wallet_key_id": key_id, "wallet_secret": secrets.token_hex(32)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(creds, handle, indent=2)
    return Credentials(creds["wallet_key_id"], creds["wallet_secret"], path)
