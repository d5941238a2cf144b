"""Browser discovery order: Playwright's own, `playwright install`, a system Chromium, apt, a message."""

from __future__ import annotations

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
    assert discover(install=True, **m.kw()) == BrowserChoice(None, "playwright")  # type: ignore[arg-type]
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
    assert str(e.value) == INSTALL_HINT and "apt-get install -y chromium fonts-noto-cjk" in INSTALL_HINT


def test_an_audit_never_installs() -> None:
    m = Machine(apt_ok=True, apt_works=True)
    with pytest.raises(BrowserNotFoundError):
        discover(install=False, **m.kw())  # type: ignore[arg-type]
    assert "install" not in m.calls and "apt" not in m.calls


def test_system_browser_is_launched_quietly() -> None:
    opts = launch_options(BrowserChoice("/usr/bin/chromium", "system"))
    assert opts["executable_path"] == "/usr/bin/chromium"
    for flag in ("--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"):
        assert flag in opts["args"]  # type: ignore[operator]
    assert "executable_path" not in launch_options(BrowserChoice(None, "playwright"))
