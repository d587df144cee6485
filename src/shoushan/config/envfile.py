"""A `.env` file in the working directory: read at start-up, written once by `make run`.

Only `KEY=value` lines; variables already in the environment win. Running this module prints a
new file with a fresh secret key.
"""

import os
import secrets
from pathlib import Path


def load_env_file(path: Path = Path(".env")) -> None:
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


if __name__ == "__main__":
    print("# Written by `make run`; see .env.example for every variable.")
    print(f"SHOUSHAN_SECRET_KEY={secrets.token_urlsafe(50)}")
