"""The price finder on the corpus's product pages: the price the auditor reads (`auditor snapshot`, in
Chromium, the generic profile) against the price a person read on the page (bench/realworld/README.md,
"Product pages"). Most carry no structured data (the notes say which do); each note gives the file and line a person read.

    .venv/bin/python bench/realworld/prices.py

Uses the exports run.py leaves in /var/tmp/realworld/ (or makes them from the mirrors); prints one row
per page and the hit rate: a page is a hit when the price read is the person's and trusted, or, where
the person could not tell either, when no price is trusted.
"""

# ruff: noqa: E501  (the judged pages: each note quotes the file and line a person read)
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from auditor.models import MIN_PRICE_CONFIDENCE  # noqa: E402
from bench.realworld import run as rw  # noqa: E402

NOW = "2026-11-23T09:00:00+08:00"
# store, page under its docroot, (selling price, regular price) as a person reads them; None: cannot tell
PAGES: list[tuple[str, str, tuple[float, float | None] | None, str]] = [
    (
        "suning-linddl",
        "detail.html",
        (10999.0, None),
        "¥ 10999. 00 split over three elements; instalments ¥3776.32×3期",
    ),
    ("vip-littlexiu", "html/details.html", (232.0, 555.0), "￥232, was ￥555; the same block in a comment elsewhere"),
    ("woo-shopstic", "product.html", (23.0, 24.0), "WooCommerce <del>/<ins>, JSON-LD 23.00 USD"),
    ("bootstrap-pimpmycloset", "product-details.html", None, '"US N59": a currency written as the letter N'),
    (
        "cozastore-hdcosmetic",
        "product-detail.html",
        (58.79, None),
        "product-detail.html:402-403 <span class=mtext-106>$58.79 under h4.js-name-detail; same in the hidden quick-view modal :1166-1167; related cards $16.64… :712, mini-cart $19.00… :273",
    ),
    (
        "mogujie-xuenai",
        "html/details2.html",
        (55.8, 155.8),
        "html/details2.html:102 <p class=now>促销价 ¥55.80 (red, bold), :101 <p class=old>价格 ¥155.80 grey but NOT struck (css/details2.css:250); 本店同类 ¥99.05 :147",
    ),
    (
        "malefashion-admsrzky",
        "shop-details.html",
        (270.0, None),
        "shop-details.html:157 <h3>$270.00 <span>70.00</span>; regular not judged: the span is line-through (css/style.css:1641-1646) and lower than the price (template quirk); header cart $0.00 :63, related $67.24 :374",
    ),
    (
        "shopify-samceramics",
        "index/collections/flooring-products/products/giallo-veneziano.html",
        (900.0, None),
        "giallo-veneziano.html:2686-2687 #ProductPrice Rs. 900.00 (INR); microdata itemprop=price 900.00 :2546, JSON-LD AggregateOffer 900.0 :3504, og:price :41; related cards Rs. 850.00 :3669, Rs. 600.00 :4525",
    ),
    (
        "shopify-pullman",
        "pullman-demo.myshopify.com/products/sell-mens-slippers.html",
        (70.0, 85.0),
        "sell-mens-slippers.html:1437 price-box #ComparePrice $85.00 (grey #999, style848f.css:4596, not struck: line-through only under .sp-product-content) + .price-regular $70.00 = selected variant :1445; og:price 40.00 :48 is price_min of the variants; related <del>$85 $70 cards",
    ),
    (
        "jd-chenggang",
        "jd_detail.html",
        (39.9, None),
        "jd_detail.html:250-252 京东价 <b>￥39.90</b>; related ￥22.90/￥69.90 :372-387, ￥49.90 list :868",
    ),
    (
        "jd-jerome",
        "detail.html",
        (2788.0, None),
        "detail.html:331 <span class=price id=price> empty, filled by jsdetail/product.js:82 from p_json price '2788.00' :142 (local script); 组合价 ￥2799.00 :643, instalments ￥999.67×3期 :566, accessories ￥239 :622, related ￥4599 :679",
    ),
    (
        "ogani-dacha",
        "shop-details.html",
        None,
        "shop-details.html:333 $50.00 in the markup, but js/main2.js renders the product block from data/ by the id in the address: with none, the rendered page shows no product and no price",
    ),
    (
        "taobao-zuojipeng",
        "details.html",
        (169.0, 212.0),
        "details.html:268-269 淘宝价 <a class=div1_a1>￥169.00 (red 29px), :265-266 价格 ￥212.00 line-through (details.css:576-578); shipping ￥8.00 :283",
    ),
    (
        "xiaomi-ljjmi",
        "xiangqing.html",
        None,
        "xiangqing.html:193-198 闪购 ￥1599 <del>1699 vs the selected version 8GB+128GB 3399元 :225 and summary <del>3599元 3399元 / 总计 3399 元 :328-331: two conflicting buy-box prices",
    ),
    (
        "karma-podiumsports",
        "single-product.html",
        (1599.99, None),
        "single-product.html:134 <h2>$1599.99</h2> in .s_product_text",
    ),
    (
        "karma-hyrule",
        "single-product.html",
        None,
        "single-product.html:114 #todo empty; js/infoProducto.js:6 $.post php/obtieneCamposProducto.php writes <h2>${Precio} :25 — POST to PHP, no price on a static server",
    ),
    (
        "xiaomi-yooabe",
        "goodsDesc.html?product_id=10000151",
        (2699.0, 2999.0),
        "query as linked from list (js/goodsList.js:14); js/goodsDesc.js:86-87 ${price_max}元 <del>${market_price_max}元 from local data/goodsList.json (2699/2999), 秒杀 ￥2699 <del>2999 :101-104; without the query nothing renders",
    ),
    (
        "jumei-linddl",
        "product_presentation.html",
        (49.9, None),
        "product_presentation.html:262-264 ¥ <span class=price_num>49.9</span> 聚美价; 满299元包邮 :301",
    ),
    (
        "magento-plattar",
        "index.html",
        None,
        "index.html:1528-1552 two equal offers: Fabric From RRP <was>$4,299 $3,224 and Leather From RRP <was>$5,399 $4,049 (styles-l.css line-through on .was-price); .old-price repeat :1573; og product:price 3224.25 :118, microdata itemprop=price data-price-amount=4299 :1524",
    ),
    (
        "suning-xiaohuihui",
        "Commodity_details.html",
        (2699.0, None),
        "Commodity_details.html:1097-1100 易购价 ￥<moneryh>2699.</moneryh><span class=monery>00</span> split; rec carousel ¥79.00 :79, mini-cart ¥2699.00 :450, 碎屏保 ¥128 :1509",
    ),
    (
        "huawei-geekteam",
        "html/product.html",
        (1899.0, 2099.0),
        "html/product.html:628-630 抢购价 #pro_price ￥1899.00, #pro_price_old ￥2099.00 line-through (css/product.css:115-116); mini-cart copy :112-113; js/main-product.js has git conflict markers so no script runs; related ￥3988 :208",
    ),
    (
        "shopify-meatshed",
        "products/braai-box.html",
        (35.0, None),
        "products/braai-box.html:937-938 price-item--regular £35.00 GBP, Sold out badge :968; JSON-LD 35.0 OutOfStock :1320-1337, og:price 35.00 :40",
    ),
    (
        "shopify-itsmeperfume",
        "collections/all/products/1.html",
        (45.0, None),
        "collections/all/products/1.html:1484-1485 #ProductPrice SFr. 45.00; JSON-LD Offer 45.0 CHF :1406-1413; footer promo card SFr. 45.00 :1655",
    ),
    (
        "ashion-indycrafty",
        "product-details.html",
        (75.0, 83.0),
        "product-details.html:169 <div class=product__details__price>$ 75.0 <span>$ 83.0</span>, span line-through (css/style.css:1729-1732); related $ 59.0 :325",
    ),
    (
        "xiaomi-tanggaozeng",
        "html/goodsDetail.html",
        (99.0, None),
        "html/goodsDetail.html:610 <h2>99元</h2> under h1 小米圈铁耳机; added-to-cart bar 99元 :738, recs 19元 :754",
    ),
    (
        "tmall-coolwind",
        "goodsdetail.html",
        None,
        "goodsdetail.html:541 价格 ￥<span class=goodsRitPrice></span> empty, filled by js/goodsdetail.js:231-340 POST php/goodsinfo.php (no PHP here); header cart widget ￥99元 :498 is not the product",
    ),
    (
        "jd-1ssjh1",
        "goods.html",
        (4788.0, None),
        "goods.html:247-249 零售价 <i class=price>¥4788.00; tier note 单件价￥666 :243; shop/js/静态.js:41 overwrites only from localStorage (empty on a fresh visit)",
    ),
    (
        "suning-wangjiangchao",
        "spxqy.html",
        (49.0, 69.0),
        "spxqy.html:1765-1766 易购价 ¥<i>49.00</i>, :1761-1762 参考价 ¥69.00 line-through (css/spxqy.css:1044-1047); recs ¥49.00 :1932",
    ),
    (
        "vip-enjoy114",
        "html/item.html",
        None,
        "html/item.html:585 商品价格:￥<i class=product_price></i> empty; js/item.js:4 $.get http://jx.xuzhixiang.top/ap/api/detail.php (remote API; jQuery itself from cdn.bootcdn.net :11)",
    ),
    (
        "vip-naniwang",
        "detail.html",
        None,
        "detail.html:228 <div class=detail> empty; js/detail.js:4-19 builds the whole buy box incl. ￥${pprice} from http://jx.xuzhixiang.top/ap/api/detail.php (remote)",
    ),
    (
        "boutique-frozenwrists",
        "products/moissanite-cuban-chain.html",
        (59.99, 119.99),
        "products/moissanite-cuban-chain.html:177 <div class=price><span class=regular>$119.99</span> $59.99 (regular NOT struck on product pages: css/style.css strikes only .product-card .regular), :178 'Sale price $59.99 Regular price $119.99'; bundle tiles $59.99/$90.00/$180.00 :189-207, recs :292",
    ),
    (
        "mogujie-insanegenji",
        "details.html",
        None,
        "details.html:396-398 价格：¥<span></span> empty; js/details_render.js:18-29 fills it from http://insanegenji.com:8888/mogujie/php/details.php (js/myDNS.js, remote)",
    ),
    (
        "dangdang-yaojjie",
        "fdj.html",
        (99.9, None),
        "fdj.html:135-139 当当价 <p id=dd-price>¥99.90 (3.35折) :141, static leftover of a saved page; js/fdj.js:16-29 would overwrite it from ./php/fdj2.php, which a static server does not run",
    ),
    (
        "xiaomi-kevin333",
        "Redmi 7A.html",
        (499.0, 549.0),
        "Redmi 7A.html:80 <p>499元<s>549元</s></p>; sale-desc 到手价499元 :78; page not linked from other pages",
    ),
    (
        "xiaomi-eugeneyichen",
        "MIX 3.html",
        (3299.0, None),
        "MIX 3.html:249-250 <span class=ccccc>3299</span><span>元起</span>, same in all 3 slides :260, :272 (a 'from' price, linked from index.html:301)",
    ),
    (
        "xiaomi-doonwich",
        "detail.html",
        None,
        "detail.html: Xiaomi 13T spec page (Vietnamese), no price anywhere; only numbers like 144Hz, 2600 nit, 50mm",
    ),
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
            product = read_price(exe, f"{base}/{quote(page, safe='/?=&')}", Path(tmp))
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
