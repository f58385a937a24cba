"""Debian's chromium for the tests that look at a page in a real browser (the digest's HTML export,
the sandbox's page). CI installs it (.ci/run); elsewhere, a missing browser skips those tests."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The browser's path; without one the test is skipped, or fails under CI (which installs it)."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if os.access(found, os.X_OK):
        return found
    if os.environ.get("CI", "") not in ("", "0", "false"):
        pytest.fail("chromium is missing: CI must check pages in a real browser (.ci/run installs it)")
    pytest.skip(
        "chromium is not installed (apt-get install chromium); pages are not checked in a real browser"
    )
