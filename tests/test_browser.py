"""Browser discovery order: Playwright's own (its headless shell first), `playwright install`, a system
Chromium (its headless shell first), apt, a message."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.browser import INSTALL_HINT, BrowserChoice, discover, launch_options
from auditor.errors import BrowserNotFoundError


class Machine:
    def __init__(
        self,
        own: bool = False,
        install_works: bool = False,
        system: tuple[str, ...] = (),
        apt_ok: bool = False,
        apt_works: bool = False,
    ) -> None:
        self.own, self.install_works, self.system = own, install_works, set(system)
        self.apt_ok_, self.apt_works = apt_ok, apt_works
        self.calls: list[str] = []

    def kw(self) -> dict[str, object]:
        return {
            "own": self._own,
            "pw_install": self._install,
            "which": self._which,
            "apt_ok": lambda: self.apt_ok_,
            "apt": self._apt,
        }

    def _own(self) -> str | None:
        self.calls.append("own")
        return "/pw/chrome" if self.own else None

    def _install(self) -> bool:
        self.calls.append("install")
        self.own = self.install_works
        return self.install_works

    def _which(self, name: str) -> str | None:
        return name if name in self.system else None

    def _apt(self) -> bool:
        self.calls.append("apt")
        if self.apt_works:
            self.system.add("/usr/bin/chromium")
        return self.apt_works


def test_playwright_own_browser_comes_first() -> None:
    m = Machine(own=True, system=("/usr/bin/chromium",))
    got = discover(install=True, **m.kw())  # type: ignore[arg-type]
    assert got.source == "playwright" and got.executable
    assert m.calls == ["own"]


def test_install_is_tried_before_the_system_browser() -> None:
    m = Machine(install_works=True, system=("/usr/bin/chromium",))
    assert discover(install=True, **m.kw()).source == "playwright-install"  # type: ignore[arg-type]


def test_system_chromium_when_download_fails() -> None:
    m = Machine(system=("chromium-browser",))
    choice = discover(install=True, **m.kw())  # type: ignore[arg-type]
    assert choice == BrowserChoice("chromium-browser", "system")
    assert m.calls == ["own", "install"]


def test_apt_as_last_resort_then_a_message() -> None:
    m = Machine(apt_ok=True, apt_works=True)
    assert discover(install=True, **m.kw()) == BrowserChoice("/usr/bin/chromium", "apt")  # type: ignore[arg-type]
    with pytest.raises(BrowserNotFoundError) as e:
        discover(install=True, **Machine(apt_ok=False).kw())  # type: ignore[arg-type]
    assert str(e.value) == INSTALL_HINT and "apt-get install -y chromium-headless-shell fonts-noto-cjk" in INSTALL_HINT


def test_an_audit_never_installs() -> None:
    m = Machine(apt_ok=True, apt_works=True)
    with pytest.raises(BrowserNotFoundError):
        discover(install=False, **m.kw())  # type: ignore[arg-type]
    assert "install" not in m.calls and "apt" not in m.calls


def test_the_systems_headless_shell_comes_before_its_full_chromium() -> None:
    """The shell does less work per page (bench/README.md); the full Chromium where it is missing."""
    m = Machine(system=("/usr/bin/chromium", "/usr/bin/chromium-headless-shell"))
    got = discover(install=False, **m.kw())  # type: ignore[arg-type]
    assert got == BrowserChoice("/usr/bin/chromium-headless-shell", "system")
    m = Machine(system=("/usr/bin/chromium",))
    assert discover(install=False, **m.kw()) == BrowserChoice("/usr/bin/chromium", "system")  # type: ignore[arg-type]


def test_playwrights_headless_shell_is_taken_where_it_was_installed_beside_its_chromium(tmp_path: Path) -> None:
    """`playwright install chromium` puts chromium-N/ and chromium_headless_shell-N/ side by side
    (`--no-shell` only the first); the shell of the same revision is taken, the full build without it."""
    from auditor.browser import _prefer_shell

    def executable(path: Path) -> Path:
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return path

    full = executable(tmp_path / "chromium-1255" / "chrome-linux64" / "chrome")
    assert _prefer_shell(str(full)) == str(full)
    shell_at = Path("chrome-headless-shell-linux64", "chrome-headless-shell")
    other = executable(tmp_path / "chromium_headless_shell-1200" / shell_at)
    assert _prefer_shell(str(full)) == str(full)  # another revision's shell is not this Chromium's
    shell = executable(tmp_path / "chromium_headless_shell-1255" / shell_at)
    assert _prefer_shell(str(full)) == str(shell) != str(other)
    assert _prefer_shell(None) is None
    assert _prefer_shell("/usr/bin/chromium") == "/usr/bin/chromium"  # not Playwright's layout: as it is


@pytest.mark.browser
async def test_a_new_tab_is_not_hovered_before_the_reader_moves_the_pointer() -> None:
    """Chromium's headless shell (the browser taken first, where it is installed) sends each new tab a
    pointer move to (0, 0), and it lands on the first page the tab shows: a CSS drop-down
    in the top-left corner open, its mouseenter fired, before the reader hovers anything (10 of 10 tabs
    here without the round trip _open_tab makes on the blank document). The full Chromium sends none:
    the test runs on the shell where the system has it, else on the browser the audit uses."""
    from playwright.async_api import async_playwright

    from auditor.browser import find_browser
    from auditor.crawl.reader import _open_tab

    page = """<!doctype html><html><head><style>#m{position:absolute;left:0;top:0;width:200px;height:40px}
    #m ul{display:none} #m:hover ul{display:block}</style></head><body><div id="m">分类<ul><li>手机</li></ul></div>
    <script>window.entered = 0;
    document.getElementById("m").addEventListener("mouseenter", () => window.entered++);</script>
    </body></html>"""
    async with async_playwright() as pw:
        shell = shutil.which("chromium-headless-shell")
        choice = BrowserChoice(shell, "system") if shell else find_browser(running=pw)
        browser = await pw.chromium.launch(**launch_options(choice))  # type: ignore[arg-type]
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            seen = []
            for _ in range(5):
                tab = await _open_tab(context)
                await tab.route("http://shop.test/", lambda route: route.fulfill(body=page, content_type="text/html"))
                await tab.goto("http://shop.test/")
                await tab.wait_for_timeout(300)
                seen.append(
                    await tab.evaluate("[window.entered, getComputedStyle(document.querySelector('#m ul')).display]")
                )
                await tab.close()
            assert seen == [[0, "none"]] * 5
        finally:
            await browser.close()


def test_system_browser_is_launched_quietly() -> None:
    opts = launch_options(BrowserChoice("/usr/bin/chromium", "system"))
    assert opts["executable_path"] == "/usr/bin/chromium"
    for flag in ("--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"):
        assert flag in opts["args"]  # type: ignore[operator]


@pytest.mark.browser
@pytest.mark.network
def test_an_audit_uses_playwrights_own_chromium(tmp_path: Path, fixture_store: Any) -> None:
    """Only "Playwright's own" browser is there (a temporary PLAYWRIGHT_BROWSERS_PATH whose expected
    executable links to a real Chromium; the system candidates hidden): doctor finds it and an audit,
    which looks for it from inside its event loop, runs on it."""
    import os
    import shutil
    import subprocess
    import sys

    from auditor.browser import find_browser
    from tests.conftest import ROOT, auditor

    real = find_browser().executable or shutil.which("chromium")
    assert real, "a Chromium to link to"
    browsers = tmp_path / "ms-playwright"
    env = {"PLAYWRIGHT_BROWSERS_PATH": str(browsers), "AUDITOR_PLAYWRIGHT_ONLY": "1"}
    expected = subprocess.run(
        [sys.executable, "-c", "from playwright.sync_api import sync_playwright as s\n"
         "with s() as p: print(p.chromium.executable_path)"],
        capture_output=True, text=True, env={**os.environ, **env}, check=True,
    ).stdout.strip()  # fmt: skip
    assert expected.startswith(str(browsers))
    Path(expected).parent.mkdir(parents=True)
    Path(expected).symlink_to(real)
    (tmp_path / "config.yaml").write_text(
        f"storage: {{url: sqlite:///a.db}}\nrules: {{dir: {ROOT / 'rules'}}}\n"
        f"stores:\n  - name: s\n    url: {fixture_store.url}about\ncrawl: {{max_depth: 0}}\n",
        encoding="utf-8",
    )
    doctor = auditor("doctor", "--config", "config.yaml", cwd=tmp_path, env=env)
    assert "(playwright)" in doctor.stdout, doctor.stdout + doctor.stderr
    audit = auditor("audit", "--config", "config.yaml", "--now", "2026-11-20T09:00:00+08:00", cwd=tmp_path, env=env)
    assert audit.returncode == 0, audit.stderr
    assert "运行 #1 完成" in audit.stdout
    hidden = auditor("audit", "--config", "config.yaml", "--now", "2026-11-20T09:00:00+08:00", cwd=tmp_path,
                     env={**env, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "empty")})  # fmt: skip
    assert hidden.returncode == 2 and "找不到 Chromium 浏览器" in hidden.stderr
    # where `playwright install chromium` also put its headless shell (same revision), that is taken
    revision = next(p for p in Path(expected).parents if p.parent == browsers)
    shell = browsers / revision.name.replace("chromium-", "chromium_headless_shell-") / "chrome-headless-shell-linux64"
    shell.mkdir(parents=True)
    (shell / "chrome-headless-shell").symlink_to(real)
    doctor = auditor("doctor", "--config", "config.yaml", cwd=tmp_path, env=env)
    assert f"{shell / 'chrome-headless-shell'} (playwright)" in doctor.stdout, doctor.stdout + doctor.stderr
