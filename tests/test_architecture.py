"""The shape the design fixes: dependencies point one way, and every command is documented."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from auditor.cli.base import cli
from tests.conftest import ROOT

PKG = ROOT / "auditor"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    [PKG / "engine.py", *sorted((PKG / "checks").glob("*.py")), *sorted((PKG / "parse").glob("*.py"))],
    ids=lambda p: p.name,
)
def test_checks_and_engine_never_reach_upstream(path: Path) -> None:
    """A check is a pure function of the snapshot: no browser, no HTTP, no database."""
    bad = {
        m
        for m in imports(path)
        if m.startswith(
            (
                "auditor.crawl",
                "auditor.probes",
                "auditor.store",
                "auditor.cli",
                "auditor.pipeline",
                "playwright",
                "httpx",
                "sqlalchemy",
            )
        )
    }
    assert not bad, f"{path.name} imports {bad}"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix}{name} ")
        else:
            out.append((f"{prefix}{name}", cmd))
    return out


def test_every_command_has_help_and_an_example() -> None:
    import auditor.cli.commands  # registers its commands (the name `auditor` it binds is used: no noqa)
    import auditor.cli.findings  # noqa: F401  (registers its own)

    for name, cmd in _commands(cli):
        assert cmd.help and "Example" in cmd.help, f"auditor {name}: no help with an example"
        assert any(p.name == "now" for p in cmd.params), f"auditor {name}: no --now"


def test_every_command_is_in_the_readme() -> None:
    import auditor.cli.commands  # registers its commands (the name `auditor` it binds is used: no noqa)
    import auditor.cli.findings  # noqa: F401  (registers its own)

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, _ in _commands(cli):
        top = name.split()[0]
        assert f"auditor {top}" in readme, f"auditor {top} is not in the README"


def test_parse_command_prints_json() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "parse",
            "双11到手价¥149 满300减50 活动时间11.1-11.11",
            "--now",
            "2026-11-20T09:00:00+08:00",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    data = json.loads(r.stdout)
    assert [p["value"] for p in data["prices"]] == [149.0]
    assert [w["state"] for w in data["windows"]] == ["ended"]


@pytest.mark.browser
def test_doctor_finds_browser_ocr_and_database(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "auditor", "doctor", "--db", f"sqlite:///{tmp_path / 'd.db'}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "browser:" in r.stdout and "rapidocr" in r.stdout and "opens, schema up to date" in r.stdout


# Layers, lowest first: a module imports only from its own layer or lower ones, so the graph has no
# circle and a newcomer can read the package bottom-up (DESIGN "Data flows one way").
LAYERS: list[tuple[str, ...]] = [
    ("auditor.vocabulary", "auditor.errors", "auditor.clock", "auditor.i18n", "auditor.yamlfile"),
    ("auditor.config", "auditor.models"),
    ("auditor.parse",),
    ("auditor.engine", "auditor.checks"),
    ("auditor.net", "auditor.browser"),
    ("auditor.crawl", "auditor.probes"),
    ("auditor.store",),
    ("auditor.export", "auditor.xlsx", "auditor.report", "auditor.notify", "auditor.screenshots"),
    ("auditor.pipeline", "auditor.competitors", "auditor.demo_store", "auditor.starter", "auditor.doctor"),
    ("auditor.workers",),
    ("auditor.schedule",),
    ("auditor.web",),
    ("auditor.cli", "auditor.__main__"),
]


def _module_graph() -> dict[str, set[str]]:
    mods = {}
    for p in PKG.rglob("*.py"):
        if "migrations" in p.parts:
            continue
        mods[".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = p
    graph: dict[str, set[str]] = {}
    for name, p in mods.items():
        deps = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):  # function-level imports count too
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("auditor"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("auditor"))
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def _layer(module: str) -> int:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_imports_follow_the_layers() -> None:
    graph = _module_graph()
    wrong = [(m, d) for m, deps in graph.items() if m != "auditor" for d in deps if _layer(d) > _layer(m)]
    assert not wrong, "imports against the layer order: " + ", ".join(f"{m} → {d}" for m, d in wrong)


def test_the_import_graph_has_no_circle() -> None:
    graph = _module_graph()
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m: str, path: list[str]) -> None:
        seen[m] = 1
        for d in sorted(graph[m]):
            assert seen.get(d) != 1, "import circle: " + " → ".join([*path, m, d])
            if d not in seen:
                visit(d, [*path, m])
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m, [])


def test_the_cli_root_imports_no_command_module() -> None:
    assert not {m for m in imports(PKG / "cli" / "__init__.py") if m.startswith("auditor")}


def test_severities_and_statuses_are_spelled_out_only_in_the_vocabulary() -> None:
    """Lists of severities or statuses are written once (auditor/vocabulary.py; i18n gives their
    words); elsewhere they are imported, so a new status cannot be missed in one place; and a single
    status is named by its constant (RunStatus.FAILED), not by the bare word."""
    from auditor.vocabulary import FINDING_STATUSES, RUN_STATUSES, SEVERITIES

    words = {*SEVERITIES, *FINDING_STATUSES, *RUN_STATUSES}
    repeats = []
    for p in PKG.rglob("*.py"):
        if p.name in ("vocabulary.py", "i18n.py") or "migrations" in p.parts:
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(strings) >= 2 and len(strings) == len(node.elts) and set(strings) <= words:
                    repeats.append(f"{p.relative_to(ROOT)}:{node.lineno} {strings}")
            elif isinstance(node, ast.Compare | ast.Assign | ast.AnnAssign | ast.keyword) and _names_status(node):
                # run.status == "failed", Run.status == "running", row.status = "fixed", status="open",
                # status: str = "open", status = mapped_column(String(20), default="running")
                values = [node.value] if not isinstance(node, ast.Compare) else [node.left, *node.comparators]
                if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Call):
                    values = [k.value for k in node.value.keywords if k.arg == "default"]
                strings = [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                strings += [
                    e.value
                    for v in values
                    if isinstance(v, ast.Tuple)
                    for e in v.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
                if set(strings) & words:
                    repeats.append(f"{p.relative_to(ROOT)}:{getattr(node, 'lineno', '?')} status {strings}")
            elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal":
                inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                strings = [e.value for e in inner if isinstance(e, ast.Constant)]
                if len(strings) >= 2 and set(strings) <= words:
                    repeats.append(f"{p.relative_to(ROOT)}:{node.lineno} Literal{strings}")
    assert not repeats, "severities/statuses spelled out again: " + "; ".join(repeats)


def _names_status(node: ast.AST) -> bool:
    """A comparison with, an assignment to, or a keyword argument named a status: `x.status`, `status`,
    `to_status`, `from_status`."""

    def named(e: ast.AST) -> bool:
        name = e.attr if isinstance(e, ast.Attribute) else e.id if isinstance(e, ast.Name) else ""
        return name in ("status", "to_status", "from_status")

    if isinstance(node, ast.keyword):
        return node.arg in ("status", "to_status", "from_status")
    if isinstance(node, ast.AnnAssign):
        return named(node.target)
    if isinstance(node, ast.Assign):
        return any(named(t) or (isinstance(t, ast.Tuple) and any(named(e) for e in t.elts)) for t in node.targets)
    return isinstance(node, ast.Compare) and any(named(e) for e in [node.left, *node.comparators])


def test_commands_call_the_library_not_the_crawler() -> None:
    """A command parses its options and calls one library function (pipeline, doctor, store); it
    never builds a crawler, a prober or a browser itself."""
    graph = _module_graph()
    reach = {
        (m, d)
        for m, deps in graph.items()
        if m.startswith("auditor.cli")
        for d in deps
        if d.startswith(("auditor.crawl", "auditor.probes", "auditor.browser", "auditor.net"))
    }
    assert not reach, sorted(reach)
