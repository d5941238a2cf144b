"""Crawl stage helper: find a Chromium wherever the user is, and launch it the same way everywhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import BrowserNotFoundError

# Without these, Chromium keeps calling home; on closed networks those connections fail by the dozen.
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
# Chromium's headless shell first (Debian's chromium-headless-shell; what Playwright itself launches
# for headless): it does less work per page than the full Chromium (the fixture store warm 11.0 against
# 13.3-13.7 s, peak 709 against 901 MB; bench/README.md). The full Chromium where the shell is missing.
SYSTEM_CANDIDATES = (
    "/usr/bin/chromium-headless-shell",
    "chromium-headless-shell",
    "/usr/bin/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
INSTALL_HINT = (
    "找不到 Chromium 浏览器 (no Chromium found)。请运行其一 (run one of):\n"
    "  .venv/bin/playwright install chromium            (where downloads work)\n"
    "  sudo apt-get install -y chromium-headless-shell fonts-noto-cjk  (Debian; or: chromium)\n"
    "or set AUDITOR_CHROMIUM=/path/to/chromium"
)
_FAILED_STAMP = Path.home() / ".cache" / "storefront-auditor" / "playwright-install-failed"


@dataclass(frozen=True)
class BrowserChoice:
    executable: str | None  # None: Playwright's own build, launched without executable_path
    source: str  # "env", "playwright", "playwright-install", "system", "apt"


def playwright_own_path() -> str | None:
    """Where Playwright's own Chromium is (or would be) and whether it is there. Playwright's sync API
    refuses to run inside an event loop, so from inside one the question is asked in a thread."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _own_path()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_own_path).result()


def _own_path() -> str | None:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return _own_build(p)
    except Exception:  # the driver itself may be missing a library (libatomic1) on a minimal system
        return None


def _own_build(playwright: Any) -> str | None:
    """Where this Playwright keeps its own Chromium (its headless shell when it has one), if it is there."""
    return _prefer_shell(_existing(playwright.chromium.executable_path))


_REVISION = re.compile(r"chromium-(\d+)")
_SHELL_NAMES = ("chrome-headless-shell", "headless_shell", "chrome-headless-shell.exe", "headless_shell.exe")


def _prefer_shell(chromium: str | None) -> str | None:
    """Playwright's headless shell of the same revision, where `playwright install chromium` put it
    beside its full Chromium (ms-playwright/chromium_headless_shell-N/<platform>/chrome-headless-shell);
    the full Chromium where it did not (`--no-shell`)."""
    if not chromium:
        return None
    for folder in Path(chromium).parents:
        if _REVISION.fullmatch(folder.name):
            shells = folder.with_name(folder.name.replace("chromium-", "chromium_headless_shell-"))
            found = (p for name in _SHELL_NAMES for p in sorted(shells.glob(f"*/{name}")) if os.access(p, os.X_OK))
            return str(next(found, chromium))
    return chromium


def _existing(path: str | None) -> str | None:
    return path if path and os.path.exists(path) else None


def _which(name: str) -> str | None:
    return name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)


def try_playwright_install() -> bool:
    if _FAILED_STAMP.exists():
        return False
    try:
        ok = (
            subprocess.run(
                [sys.executable, "-m", "playwright", "install", "chromium"], capture_output=True, timeout=600
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:  # remember, so the next setup does not wait on a download that cannot work here
        _FAILED_STAMP.parent.mkdir(parents=True, exist_ok=True)
        _FAILED_STAMP.touch()
    return ok


def can_apt() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install_chromium() -> bool:
    # the headless shell where the distribution has it (Debian), else the full Chromium
    get = "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq"
    cmd = f"apt-get update -qq && ({get} chromium-headless-shell fonts-noto-cjk || {get} chromium fonts-noto-cjk)"
    return subprocess.run(["sh", "-c", cmd], timeout=1200).returncode == 0


def discover(
    *,
    install: bool,
    env: str | None = None,
    own: Callable[[], str | None] = playwright_own_path,
    pw_install: Callable[[], bool] = try_playwright_install,
    which: Callable[[str], str | None] = _which,
    candidates: Sequence[str] = SYSTEM_CANDIDATES,
    apt_ok: Callable[[], bool] = can_apt,
    apt: Callable[[], bool] = apt_install_chromium,
) -> BrowserChoice:
    """Playwright's own Chromium; else `playwright install chromium`; else a system Chromium;
    else (root with apt) install Debian's chromium-headless-shell; else a message that says what to run.
    Installing is only tried when `install` is true (setup, doctor --install), never during an audit."""
    if env:
        if which(env):
            return BrowserChoice(env, "env")
        raise BrowserNotFoundError(f"AUDITOR_CHROMIUM={env}: 不是可执行文件 (not an executable file)")
    # Playwright's own build, launched by its path: its headless shell, or its full Chromium where
    # `playwright install chromium --no-shell` left no shell (a bare headless launch would ask for it)
    if found := own():
        return BrowserChoice(found, "playwright")
    if install and pw_install() and (found := own()):
        return BrowserChoice(found, "playwright-install")

    def system() -> str | None:
        return next((found for c in candidates if (found := which(c))), None)

    if found := system():
        return BrowserChoice(found, "system")
    if install and apt_ok() and apt() and (found := system()):
        return BrowserChoice(found, "apt")
    raise BrowserNotFoundError(INSTALL_HINT)


def find_browser(install: bool = False, running: Any = None) -> BrowserChoice:
    """AUDITOR_CHROMIUM=/path picks one; AUDITOR_PLAYWRIGHT_ONLY=1 uses only Playwright's own build.
    `running`: a Playwright already started (an audit's), asked where its own Chromium is instead of
    starting a driver of its own for the question (0.45 s of every audit's start, measured)."""
    only_own = os.environ.get("AUDITOR_PLAYWRIGHT_ONLY") == "1"
    own = playwright_own_path if running is None else (lambda: _own_build(running))
    return discover(
        install=install,
        env=os.environ.get("AUDITOR_CHROMIUM"),
        own=own,
        candidates=() if only_own else SYSTEM_CANDIDATES,
    )


def launch_options(choice: BrowserChoice) -> dict[str, object]:
    args = list(LAUNCH_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses its sandbox as root
    opts: dict[str, object] = {"headless": True, "args": args}
    if choice.executable:
        opts["executable_path"] = choice.executable
    return opts


def browser_version(choice: BrowserChoice) -> str:
    exe = choice.executable or playwright_own_path()
    if not exe:
        return "unknown"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


if __name__ == "__main__":  # used by scripts/setup.sh
    try:
        chosen = find_browser(install=True)
    except BrowserNotFoundError as exc:
        print(f"auditor: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"browser: {chosen.executable or 'playwright chromium'} ({chosen.source})")
