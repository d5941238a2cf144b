"""Real-world corpus: audit public storefront clones and compare the findings with what a person read
in their files (bench/realworld/corpus.yaml).

    .venv/bin/python bench/realworld/run.py                 # every store
    .venv/bin/python bench/realworld/run.py --only suning-linddl --keep
    .venv/bin/python bench/realworld/run.py --only suning-linddl --findings /tmp/x/findings.json  # re-judge

For each store: find the bare git mirror under $RW_MIRROR_ROOT/owner+name/ (default /work/.mirror;
with --clone a missing one is cloned from GitHub, else the store is skipped with a message), export
the pinned commit into /var/tmp/realworld/<name> (reused when present; blobs the snapshot lacks are
skipped), serve `docroot` with a threaded
http.server on 127.0.0.1, run `auditor audit` then `auditor export --format json` on a temporary
config and database, and judge every finding:

- a defect is *found* when a finding has its check and matches its target / page / region / selector /
  text globs; a defect no finding matches is *missed*;
- a finding that matches a trap is a *false alarm*;
- a dead-link / broken-image finding whose target is on another host, uses a non-fetched scheme
  (javascript:, mailto:, tel:, data:) or names a file that exists in the docroot (and decodes, for
  images) is a false alarm too (*auto*); one whose local target is missing from the docroot is
  *auto-confirmed* (a real defect nobody listed);
- a finding on another host that got an HTTP answer is *machine*: nothing outside answers here, but
  this machine's gateway answers 404 for hosts given as an IP address; not judged either way;
- everything else is *unjudged*, listed for a person to judge (and, once judged, added to the corpus).

Prints a table per store and totals; writes bench/realworld/last-result.json.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import functools
import http.server
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus.yaml"
RESULT = HERE / "last-result.json"
MIRRORS = Path(os.environ.get("RW_MIRROR_ROOT", "/work/.mirror"))
CACHE = Path(os.environ.get("RW_CACHE", "/var/tmp/realworld"))
NOT_FETCHED_SCHEMES = ("javascript:", "mailto:", "tel:", "sms:", "data:")
LINK_CHECKS = ("dead-link", "broken-image")


# --------------------------------------------------------------------------- mirrors and export


def find_gitdir(repo: str) -> Path | None:
    """The bare mirror `fetch` leaves at /work/.mirror/owner+name/repo (or repo/.git)."""
    base = MIRRORS / repo.replace("/", "+")
    for cand in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if cand.is_dir():
            ok = subprocess.run(["git", f"--git-dir={cand}", "rev-parse", "--git-dir"], capture_output=True, text=True)
            if ok.returncode == 0:
                return cand
    return None


def export(gitdir: Path, commit: str, dest: Path) -> int:
    """`git archive` of the commit into dest, skipping blobs the snapshot lacks; returns how many."""
    git = ["git", f"--git-dir={gitdir}"]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], capture_output=True, check=True).stdout
    entries = []
    for rec in listing.split(b"\0"):
        if rec:
            meta, path = rec.split(b"\t", 1)
            _mode, kind, sha = meta.split()
            entries.append((kind, sha, path))
    shas = b"".join(sha + b"\n" for kind, sha, _ in entries if kind == b"blob")
    check = subprocess.run([*git, "cat-file", "--batch-check"], input=shas, capture_output=True).stdout
    missing = {line.split()[0] for line in check.splitlines() if line.endswith(b" missing")}
    excludes = [":(exclude,literal)" + p.decode("utf-8", "surrogateescape") for _, sha, p in entries if sha in missing]
    tar = subprocess.run([*git, "archive", "--format=tar", commit, "--", ".", *excludes], capture_output=True)
    if tar.returncode != 0:
        raise RuntimeError(tar.stderr.decode(errors="replace")[:500])
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(tmp, filter="data")
        else:  # pragma: no cover - Pythons before 3.11.4 have no extraction filters
            tf.extractall(tmp)
    (tmp / ".realworld-commit").write_text(commit + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return len(missing)


def clone(repo: str) -> Path | None:
    """A bare clone from GitHub into the mirror folder, where the machine can reach it."""
    dest = MIRRORS / repo.replace("/", "+") / "repo"
    dest.parent.mkdir(parents=True, exist_ok=True)
    got = subprocess.run(
        ["git", "clone", "--bare", "--quiet", f"https://github.com/{repo}.git", str(dest)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if got.returncode != 0:
        print(f"  git clone of {repo} failed: {got.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return dest


def ensure_export(store: dict[str, Any], fetch: bool = False) -> tuple[Path | None, str]:
    dest = CACHE / store["name"]
    marker = dest / ".realworld-commit"
    if marker.is_file() and marker.read_text().strip() == store["commit"]:
        return dest, "cached"
    gitdir = find_gitdir(store["repo"]) or (clone(store["repo"]) if fetch else None)
    if gitdir is None:
        return None, (
            f"mirror of {store['repo']} not found under {MIRRORS}: run with --clone (git clone --bare from "
            f"GitHub into {MIRRORS}/{store['repo'].replace('/', '+')}/repo), or set RW_MIRROR_ROOT"
        )
    has = subprocess.run(["git", f"--git-dir={gitdir}", "cat-file", "-e", store["commit"] + "^{commit}"])
    if has.returncode != 0:
        return None, f"commit {store['commit']} not in the mirror {gitdir} (a newer snapshot?); re-pin the corpus"
    skipped = export(gitdir, store["commit"], dest)
    return dest, f"exported ({skipped} blobs absent from the snapshot)" if skipped else "exported"


# --------------------------------------------------------------------------- static server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".webp": "image/webp",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".woff2": "font/woff2",
        ".js": "application/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(docroot: Path):
    handler = functools.partial(QuietHandler, directory=str(docroot))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- audit


def auditor_bin(explicit: str | None) -> str:
    if explicit:
        return explicit
    venv = ROOT / ".venv" / "bin" / "auditor"
    return str(venv) if venv.exists() else (shutil.which("auditor") or "auditor")


def write_config(work: Path, store: dict[str, Any], url: str, crawl: dict[str, Any]) -> Path:
    cfg: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "storage": {"url": f"sqlite:///{work / 'rw.db'}"},
        "screenshots_dir": str(work / "screenshots"),
        "stores": [{"name": store["name"], "url": url}],
        "crawl": crawl,
    }
    if (ROOT / "rules").is_dir():
        cfg["rules"] = {"dir": str(ROOT / "rules")}
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False))
    return path


def run_audit(
    exe: str, store: dict[str, Any], base: str, work: Path, now: str, timeout: float, crawl: dict[str, Any]
) -> dict[str, Any]:
    entry = store.get("entry", "index.html").lstrip("/")
    url = f"{base}/{quote(entry)}"  # a file name with a space (jumei-linddl "jumei_home page.html")
    config = write_config(work, store, url, crawl)
    db = f"sqlite:///{work / 'rw.db'}"
    common = ["--config", str(config), "--now", now, "--db", db]
    audit = [exe, "audit", "--store", store["name"], "--fail-on", "never", *common]
    started = time.monotonic()
    info: dict[str, Any] = {"url": url, "command": " ".join(audit)}
    # its own process group, so that a timeout also stops the browser the auditor started
    with (work / "audit.stdout").open("w") as out, (work / "audit.stderr").open("w") as err:
        proc = subprocess.Popen(audit, cwd=work, stdout=out, stderr=err, text=True, start_new_session=True)
        try:
            info["exit"] = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            info["exit"] = "timeout"
    info["stderr_tail"] = (work / "audit.stderr").read_text(errors="replace").strip().splitlines()[-5:]
    info["seconds"] = round(time.monotonic() - started, 1)
    out = work / "findings.json"
    exp = subprocess.run(
        [exe, "export", "--format", "json", "--store", store["name"], "--output", str(out), *common],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if exp.returncode != 0 or not out.exists():
        info["export_error"] = (exp.stderr or exp.stdout).strip()[-500:]
        info["findings"] = []
    else:
        info["findings"] = json.loads(out.read_text() or "[]")
    return info


# --------------------------------------------------------------------------- judging


def local_path(url: str | None, base: str) -> str | None:
    """The URL path (unquoted, with its query) when the URL is on the served host, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = unquote(parts.path) or "/"
    return f"{path}?{parts.query}" if parts.query else path


def glob_match(value: str | None, pattern: str, base: str) -> bool:
    """Target / page globs: '/x/y.html' is matched against the served URL path (also as a suffix);
    anything else (a raw scheme such as 'javascrpit:*', an external URL) against the raw value."""
    if value is None:
        return False
    if pattern.startswith("/"):
        path = local_path(value, base)
        if path is None:
            return False
        bare = path.split("?", 1)[0]
        return any(fnmatch.fnmatchcase(p, pattern) or fnmatch.fnmatchcase(p, "*" + pattern) for p in (path, bare))
    candidates = {value, unquote(value)}
    path = local_path(value, base)
    if path is not None:
        candidates.add(path)
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


def matches(finding: dict[str, Any], exp: dict[str, Any], base: str) -> bool:
    if not fnmatch.fnmatchcase(finding.get("check") or "", exp["check"]):
        return False
    if "target" in exp:
        want = exp["target"]
        if want is None:
            if finding.get("target") is not None:
                return False
        elif not glob_match(finding.get("target"), want, base):
            return False
    if "page" in exp and not glob_match(finding.get("page"), exp["page"], base):
        return False
    if "region" in exp and not fnmatch.fnmatchcase(finding.get("region") or "", exp["region"]):
        return False
    evidence = finding.get("evidence") or {}
    if "selector" in exp and not fnmatch.fnmatchcase(str(evidence.get("selector") or ""), exp["selector"]):
        return False
    if "text" in exp:
        blob = (finding.get("message") or "") + " " + json.dumps(evidence, ensure_ascii=False)
        if not fnmatch.fnmatchcase(blob, exp["text"]):
            return False
    return True


def decodes(path: Path) -> bool | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(path) as im:
            im.load()
        return True
    except Exception:
        if path.suffix.lower() == ".svg":
            return None
        return False


def auto_judge(finding: dict[str, Any], base: str, docroot: Path) -> tuple[str, str] | None:
    """('false-alarm'|'confirmed', why) for link and image findings that the files alone settle."""
    check = finding.get("check")
    target = finding.get("target")
    if check not in LINK_CHECKS or not target:
        return None
    if target.strip().lower().startswith(NOT_FETCHED_SCHEMES):
        return "false-alarm", f"{target.split(':', 1)[0]}: links are never fetched"
    path = local_path(target, base)
    if path is None:
        scheme = urlsplit(target).scheme
        if scheme in ("http", "https", ""):
            reason = str((finding.get("evidence") or {}).get("reason", ""))
            if reason.startswith("http-"):
                # nothing outside answers here, but this machine's gateway answers 404 for an address
                # given as an IP (meizu-liang's 备案 links to http://210.76.65.188/): the auditor was
                # right to believe the answer; what the real host says cannot be known here
                return "machine", "another host, answered by this machine's gateway: not judged"
            return "false-alarm", "another host: unreachable here, unknown at most, never a defect"
        return None  # a misspelled scheme: a person judges it (or the corpus lists it)
    file = docroot / path.split("?", 1)[0].lstrip("/")
    if file.is_dir():
        return ("false-alarm", "a folder the server lists") if check == "dead-link" else None
    if not file.exists():
        return "confirmed", f"{path.split('?', 1)[0]} is not in the docroot"
    if check == "broken-image":
        ok = decodes(file)
        if ok is False:
            return "confirmed", f"{file.name} exists but does not decode"
        if ok is None:
            return None
    elif file.stat().st_size == 0 or str((finding.get("evidence") or {}).get("reason", "")).startswith("soft-404"):
        return None  # an empty file, or a page that says it is gone (a saved 404 page): a person judges
    return "false-alarm", f"{path.split('?', 1)[0]} exists in the docroot"


def judge(store: dict[str, Any], findings: list[dict[str, Any]], base: str, docroot: Path) -> dict[str, Any]:
    defects = store.get("defects") or []
    traps = store.get("traps") or []
    found: dict[int, list[int]] = {i: [] for i in range(len(defects))}
    false_alarms, auto_confirmed, unjudged, machine = [], [], [], []
    for fi, f in enumerate(findings):
        hit_defects = [i for i, d in enumerate(defects) if matches(f, d, base)]
        for i in hit_defects:
            found[i].append(fi)
        if hit_defects:
            continue
        traps_hit = [t for t in traps if matches(f, t, base)]
        if traps_hit:
            false_alarms.append({"finding": brief(f, base), "trap": traps_hit[0].get("proof", "")})
            continue
        auto = auto_judge(f, base, docroot)
        if auto and auto[0] == "machine":
            machine.append({"finding": brief(f, base), "why": auto[1]})
        elif auto and auto[0] == "false-alarm":
            false_alarms.append({"finding": brief(f, base), "trap": "auto: " + auto[1]})
        elif auto:
            auto_confirmed.append({"finding": brief(f, base), "why": auto[1]})
        else:
            unjudged.append(brief(f, base))
    missed = [d for i, d in enumerate(defects) if not found[i]]
    return {
        "defects": len(defects),
        "found": [dict(defects[i], findings=[brief(findings[j], base) for j in js]) for i, js in found.items() if js],
        "missed": missed,
        "false_alarms": false_alarms,
        "auto_confirmed": auto_confirmed,
        "unjudged": unjudged,
        "machine": machine,
    }


def brief(f: dict[str, Any], base: str) -> dict[str, Any]:
    def show(url: str | None) -> str | None:
        path = local_path(url, base)
        return path if path is not None else url

    ev = f.get("evidence") or {}
    return {
        "id": f.get("id"),
        "check": f.get("check"),
        "rule": f.get("rule"),
        "page": show(f.get("page")),
        "region": f.get("region"),
        "target": show(f.get("target")),
        "selector": ev.get("selector"),
        "message": (f.get("message") or "")[:200],
    }


# --------------------------------------------------------------------------- report


def line(b: dict[str, Any]) -> str:
    return f"{b['check']:<22} {b.get('region') or '-':<12} page={b.get('page')} target={b.get('target')}"


def print_store(name: str, res: dict[str, Any], verbose: int) -> None:
    if res.get("status") != "ok":
        print(f"  {res.get('status')}: {res.get('reason', '')[:300]}")
    j = res.get("judged")
    if not j:
        return
    for d in j["missed"]:
        where = f"target={d.get('target')} page={d.get('page')}"
        print(f"  missed      {d['check']:<22} {where}  ({d.get('proof', '')[:90]})")
    for fa in j["false_alarms"][: 10 if verbose < 2 else None]:
        print(f"  false alarm {line(fa['finding'])}  <- {fa['trap'][:80]}")
    if len(j["false_alarms"]) > 10 and verbose < 2:
        print(f"  ... {len(j['false_alarms']) - 10} more false alarms (see {RESULT.name})")
    for u in j["unjudged"][: 15 if verbose < 2 else None]:
        print(f"  unjudged    {line(u)}  {u['message'][:70]}")
    if len(j["unjudged"]) > 15 and verbose < 2:
        print(f"  ... {len(j['unjudged']) - 15} more unjudged (see {RESULT.name})")
    for m in j.get("machine", []):
        print(f"  machine     {line(m['finding'])}  ({m['why']})")
    if verbose:
        for c in j["auto_confirmed"]:
            print(f"  auto-ok     {line(c['finding'])}  ({c['why']})")


def table(results: dict[str, dict[str, Any]], stores: dict[str, dict[str, Any]]) -> None:
    cols = f"{'store':<24} {'family':<12} {'status':<8} {'found':>7} {'missed':>6} {'false':>6} {'auto':>5}"
    head = f"{cols} {'unjudged':>8} {'secs':>6}"
    print("\n" + head)
    print("-" * len(head))
    tot = {"defects": 0, "found": 0, "missed": 0, "false": 0, "auto": 0, "unjudged": 0}
    for name, res in results.items():
        fam = stores[name].get("family", "")
        status = res.get("status", "?")
        j = res.get("judged")
        if not j:
            print(f"{name:<24} {fam:<12} {status:<8}")
            continue
        row = {
            "defects": j["defects"],
            "found": len(j["found"]),
            "missed": len(j["missed"]),
            "false": len(j["false_alarms"]),
            "auto": len(j["auto_confirmed"]),
            "unjudged": len(j["unjudged"]),
        }
        for k, v in row.items():
            tot[k] += v
        ratio = f"{row['found']}/{row['defects']}"
        secs = res.get("audit", {}).get("seconds", 0)
        print(
            f"{name:<24} {fam:<12} {status:<8} {ratio:>7} {row['missed']:>6} {row['false']:>6} {row['auto']:>5}"
            f" {row['unjudged']:>8} {secs:>6}"
        )
    print("-" * len(head))
    ratio = f"{tot['found']}/{tot['defects']}"
    print(
        f"{'total':<24} {'':<12} {'':<8} {ratio:>7} {tot['missed']:>6} {tot['false']:>6} {tot['auto']:>5}"
        f" {tot['unjudged']:>8}"
    )
    if tot["defects"]:
        print(
            f"recall {tot['found'] / tot['defects']:.0%}; false alarms {tot['false']}; "
            f"unjudged {tot['unjudged']} (judge them, then add them to the corpus)"
        )


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", help="store name (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep each store's work dir (config, db, logs, findings)")
    ap.add_argument("--auditor", help="auditor executable (default .venv/bin/auditor)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per audit (default 900)")
    ap.add_argument("--findings", help="judge this exported JSON instead of auditing (needs one --only)")
    ap.add_argument("--list", action="store_true", help="list the corpus and exit")
    ap.add_argument("--clone", action="store_true", help="git clone a store's repository when no mirror has it")
    ap.add_argument("-v", "--verbose", action="count", default=0)
    a = ap.parse_args()

    corpus = yaml.safe_load(CORPUS.read_text())
    now = corpus["now"]
    crawl = corpus.get("crawl") or {"max_pages": 15, "max_depth": 1}
    stores = {s["name"]: s for s in corpus["stores"]}
    if a.list:
        for s in stores.values():
            d, t = len(s.get("defects") or []), len(s.get("traps") or [])
            where = f"{s['repo']}@{s['commit'][:10]} {s.get('docroot') or '.'}/{s['entry']}"
            print(f"{s['name']:<24} {s['family']:<12} {where}  defects={d} traps={t}")
        return 0
    names = a.only or list(stores)
    unknown = [n for n in names if n not in stores]
    if unknown:
        print(f"unknown store(s): {', '.join(unknown)}; known: {', '.join(stores)}", file=sys.stderr)
        return 2
    if a.findings and len(names) != 1:
        print("--findings needs exactly one --only NAME", file=sys.stderr)
        return 2
    exe = auditor_bin(a.auditor)
    if not a.findings and not (Path(exe).exists() or shutil.which(exe)):
        print(f"auditor not found ({exe}); create .venv or pass --auditor", file=sys.stderr)
        return 2

    results: dict[str, dict[str, Any]] = {}
    for name in names:
        store = stores[name]
        print(f"== {name} ({store['repo']}@{store['commit'][:10]}, {store['family']})", flush=True)
        tree, how = ensure_export(store, fetch=a.clone)
        if tree is None:
            print(f"  skipped: {how}")
            results[name] = {"status": "skipped", "reason": how}
            continue
        docroot = (tree / (store.get("docroot") or "")).resolve()
        if not (docroot / store["entry"]).is_file():
            results[name] = {"status": "error", "reason": f"entry {store['entry']} not in {docroot}"}
            print(f"  error: {results[name]['reason']}")
            continue
        work = Path(tempfile.mkdtemp(prefix=f"rw-{name}-"))
        try:
            with serve(docroot) as base:
                if a.findings:
                    audit = {"findings": json.loads(Path(a.findings).read_text()), "rejudged_from": a.findings}
                    # the export names the host it was audited on; judge against that one
                    pages = [f.get("page") for f in audit["findings"] if f.get("page")]
                    if pages:
                        p = urlsplit(pages[0])
                        base = f"{p.scheme}://{p.netloc}"
                else:
                    audit = run_audit(exe, store, base, work, now, a.timeout, crawl)
                judged = judge(store, audit["findings"], base, docroot)
            if audit.get("exit") == "timeout":
                status = "timeout"
            elif "export_error" in audit or audit.get("exit") not in (0, None):
                status = "error"
            else:
                status = "ok"
            res = {
                "status": status,
                "export": how,
                "audit": {k: v for k, v in audit.items() if k != "findings"},
                "findings": len(audit["findings"]),
                "judged": judged,
            }
            if status != "ok":
                res["reason"] = audit.get("export_error") or "; ".join(audit.get("stderr_tail") or [])
            if a.keep:
                res["work_dir"] = str(work)
                print(f"  kept {work}")
            results[name] = res
            print_store(name, res, a.verbose)
        finally:
            if not a.keep:
                shutil.rmtree(work, ignore_errors=True)
    table(results, stores)
    if RESULT.exists() and len(results) < len(stores):  # --only: the other stores' last results stay
        kept = json.loads(RESULT.read_text()).get("stores", {})
        results = {**kept, **results}
    RESULT.write_text(json.dumps({"now": now, "stores": results}, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {RESULT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
