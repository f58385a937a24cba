"""How fast `veille` answers: `--help` and `config check`, against importing the whole bot eagerly.

The baseline is what the command would cost if it imported discord.py, SQLAlchemy and the cogs up
front, as a naive entry point does. Run with `make bench` or `.venv/bin/python -m bench.cli_startup`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VEILLE = str(Path(sys.executable).parent / "veille")
RUNS = 7


def median_seconds(command: list[str]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    eager = median_seconds([sys.executable, "-c", "import cogs.runtime, bot.maintenance"])
    rows = [
        ("baseline: import everything", eager),
        ("veille --help", median_seconds([VEILLE, "--help"])),
        ("veille config check", median_seconds([VEILLE, "config", "check"])),
    ]
    width = max(len(name) for name, _ in rows)
    sys.stdout.write(f"{'command':<{width}}  median of {RUNS}  vs baseline\n")
    for name, seconds in rows:
        sys.stdout.write(f"{name:<{width}}  {seconds * 1000:9.0f} ms  {eager / seconds:9.1f}×\n")


if __name__ == "__main__":
    main()
