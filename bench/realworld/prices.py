"""The price finder on the corpus's product pages: the price the auditor reads (`auditor snapshot`, in
Chromium, the generic profile) against the price a person read on the page (bench/realworld/README.md,
"Product pages"). None of these pages but woo-shopstic's carries structured data.

    .venv/bin/python bench/realworld/prices.py

Uses the exports run.py leaves in /var/tmp/realworld/ (or makes them from the mirrors); prints one row
per page and the hit rate: a page is a hit when the price read is the person's and trusted, or, where
the person could not tell either, when no price is trusted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from auditor.models import MIN_PRICE_CONFIDENCE  # noqa: E402
from bench.realworld import run as rw  # noqa: E402

NOW = "2026-11-23T09:00:00+08:00"
# store, page under its docroot, (selling price, regular price) as a person reads them; None: cannot tell
PAGES: list[tuple[str, str, tuple[float, float | None] | None, str]] = [
    ("suning-linddl", "detail.html", (10999.0, None), "¥ 10999. 00 split over three elements; instalments ¥3776.32×3期"),
    ("vip-littlexiu", "html/details.html", (232.0, 555.0), "￥232, was ￥555; the same block in a comment elsewhere"),
    ("woo-shopstic", "product.html", (23.0, 24.0), "WooCommerce <del>/<ins>, JSON-LD 23.00 USD"),
    ("bootstrap-pimpmycloset", "product-details.html", None, '"US N59": a currency written as the letter N'),
]


def read_price(exe: str, url: str, work: Path) -> dict[str, Any] | None:
    got = subprocess.run(
        [exe, "snapshot", url, "--json", "--now", NOW, "--db", f"sqlite:///{work / 'p.db'}"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if got.returncode != 0:
        print(f"  snapshot of {url} failed: {got.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    product: dict[str, Any] | None = json.loads(got.stdout).get("product")
    return product


def main() -> int:
    corpus = yaml.safe_load((ROOT / "bench" / "realworld" / "corpus.yaml").read_text(encoding="utf-8"))
    stores = {s["name"]: s for s in corpus["stores"]}
    exe = rw.auditor_bin(None)
    hits = 0
    print(f"{'page':48} {'by eye':>16} {'read':>16} {'trusted':>8} {'source':>16}  verdict")
    for name, page, want, why in PAGES:
        store = stores[name]
        root, how = rw.ensure_export(store)
        if root is None:
            print(f"{name}: {how}")
            continue
        docroot = root / (store.get("docroot") or "")
        with rw.serve(docroot) as base, tempfile.TemporaryDirectory() as tmp:
            product = read_price(exe, f"{base}/{page}", Path(tmp))
        read = (product or {}).get("price")
        regular = (product or {}).get("regular_price")
        trusted = bool(read is not None and product and product.get("confidence", 1.0) >= MIN_PRICE_CONFIDENCE)
        if want is None:
            ok = not trusted
        else:
            ok = trusted and read == want[0] and (want[1] is None or regular == want[1])
        hits += ok
        eye = "?" if want is None else f"{want[0]:g}" + (f" / {want[1]:g}" if want[1] else "")
        got = "—" if read is None else f"{read:g}" + (f" / {regular:g}" if regular else "")
        source = (product or {}).get("source") or "—"
        print(f"{name + ' ' + page:48} {eye:>16} {got:>16} {trusted!s:>8} {source:>16}  {'hit' if ok else 'MISS'}")
        if not ok:
            print(f"    ({why}; why: {(product or {}).get('price_why')})")
    print(f"\nhit rate {hits}/{len(PAGES)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
