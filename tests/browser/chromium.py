"""Debian's Chromium for Playwright: installed with apt-get when /usr/bin/chromium is missing,
launched headless with a fresh user-data-dir and no background networking."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["CHROMIUM", "LAUNCH_ARGS", "chromium_problem"]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_problem: list[str | None] = []


def _install() -> str | None:
    if shutil.which("apt-get") is None:
        return "/usr/bin/chromium is missing and there is no apt-get to install it"
    if os.geteuid() != 0:
        return "/usr/bin/chromium is missing and installing it needs root (apt-get install chromium)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            return f"could not install chromium ({' '.join(cmd)}: {(r.stderr or r.stdout).strip()[-300:]})"
    return None if CHROMIUM.exists() else "apt-get installed chromium but /usr/bin/chromium is still missing"


def chromium_problem() -> str | None:
    """None when Chromium is ready; otherwise why the browser tests must be skipped. The
    install is tried once per test run."""
    if not _problem:
        _problem.append(None if CHROMIUM.exists() else _install())
    return _problem[0]
