"""Where herald-core finds its data, its sockets and Redis (device contract)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class CoreConfig:
    mode: str  # "device" or "development"
    data_dir: Path
    run_dir: Path  # sockets
    redis_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CoreConfig:
        mode = env.get("HERALD_MODE", "development")
        if mode not in ("device", "development"):
            raise ValueError(f"HERALD_MODE must be device or development, not {mode!r}")
        device = mode == "device"
        data_dir = Path(env.get("HERALD_DATA_DIR") or
                        ("/data/herald" if device else REPOSITORY / "var"))
        run_dir = Path(env.get("HERALD_RUN_DIR") or ("/run/herald" if device else data_dir / "run"))
        redis_url = env.get("REDIS_URL") or (
            "unix:///run/redis/redis-server.sock" if device else "redis://localhost:6379/0"
        )
        return cls(mode, data_dir, run_dir, redis_url)

    @property
    def clips_dir(self) -> Path:
        return self.data_dir / "clips"

    @property
    def audio_link(self) -> Path:
        return self.run_dir / "audio.sock"

    @property
    def audio_settings(self) -> Path:
        return self.data_dir / "audio-settings.json"
