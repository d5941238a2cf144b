// Crawl stage, in the page: find regions by structure (or by the profile's selectors) and read their
// elements. Called as `(args) => ...` by Playwright; returns plain JSON. Two calls per page:
// {phase: "mark"} tags regions and starts watching carousels; {phase: "read"} reads everything.
// In between, the page itself calls {phase: "late"} when pictures are added (slides fetched as JSON).
(args) => {
  const S = args.selectors || {};
  const LAZY = args.lazy || [];  // auditor/vocabulary.py LAZY_ATTRIBUTES: one list for every stage
  // auditor/vocabulary.py PAGE_VOCABULARY and RELATED_BLOCK: the same words for pages read over HTTP
  const V = Object.fromEntries(Object.entries(args.vocab || {}).map(([k, v]) => [k, new RegExp(v, "i")]));
  const REL = args.related || { min_products: 2, max_links: 40, share: 0.6 };
  const abs = (u) => { try { return new URL(u, document.baseURI).href; } catch (e) { return null; } };
  // the page's address: the tab's, or the one given for HTML read over HTTP and laid out in a tab that
  // runs none of its scripts (auditor/crawl/static.py: written into a blank tab, its <base> set)
  const HERE = args.here || location.href;
  const txt = (el) => (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
  const rect = (el) => { const r = el.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.width, r.height]; };
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0;
  };
  // nth-of-type of every child of a parent, counted once per parent (a list of 60,000 links would
  // otherwise be walked once per link)
  const nth = new WeakMap();
  const nthOfType = (e) => {
    if (!nth.has(e) && e.parentElement) {
      const counts = {};
      for (const c of e.parentElement.children) { counts[c.tagName] = (counts[c.tagName] || 0) + 1; nth.set(c, counts[c.tagName]); }
    }
    return nth.get(e) || 1;
  };
  const path = (el) => {
    if (el.id && document.querySelectorAll("#" + CSS.escape(el.id)).length === 1) return "#" + CSS.escape(el.id);
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.body; e = e.parentElement) {
      if (e.id && document.querySelectorAll("#" + CSS.escape(e.id)).length === 1) { parts.unshift("#" + CSS.escape(e.id)); break; }
      parts.unshift(e.tagName.toLowerCase() + ":nth-of-type(" + nthOfType(e) + ")");
    }
    return (parts[0] && parts[0].startsWith("#") ? "" : "body > ") + parts.join(" > ");
  };
  const q = (sel) => { if (!sel) return []; try { return [...document.querySelectorAll(sel)]; } catch (e) { return []; } };
  // the computed value quotes the address and escapes its quotes: a ")" inside is part of the file's
  // name (tmall-guoxiaxing: url("img/下载 (1).png"))
  const bgUrl = (el) => { const m = /url\("((?:[^"\\]|\\.)*)"\)|url\(([^)"]*)\)/.exec(getComputedStyle(el).backgroundImage || "");
    const u = m && (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
    return u && !u.startsWith("data:") ? abs(u) : null; };
  const placeholderSrc = (s) => !s || s.startsWith("data:") || V.placeholderSrc.test(s);

  // what the picture is drawn into: the border box less padding and border, as laid out (a card caught
  // mid-flip by its own rotateY animation is not squashed: mogujie's 热门 cards flip every 4 s)
  const contentBox = (el) => {
    const b = el.getBoundingClientRect(), ow = el.offsetWidth, oh = el.offsetHeight;  // offset sizes ignore transforms
    // transformed unevenly (more than rounding: offset sizes are whole pixels): the laid-out size
    const uneven = ow && oh && Math.abs(b.width / ow - b.height / oh) > 0.02 && (Math.abs(b.width - ow) > 1.5 || Math.abs(b.height - oh) > 1.5);
    const r = uneven ? { width: ow, height: oh } : b;
    const cs = getComputedStyle(el); const px = (k) => parseFloat(cs[k]) || 0;
    return { width: Math.max(0, r.width - px("paddingLeft") - px("paddingRight") - px("borderLeftWidth") - px("borderRightWidth")),
             height: Math.max(0, r.height - px("paddingTop") - px("paddingBottom") - px("borderTopWidth") - px("borderBottomWidth")) };
  };
  const image = (el) => {
    const r = contentBox(el);
    let url = el.currentSrc || el.src || null, swapped = false;
    // src="" and src="#" are the page itself: no picture set yet (shopify-pullman's add-to-cart dialog:
    // <img class="popupimage" src="#">, filled by its script when the dialog opens; read by the attribute,
    // since the page may have changed its own address since: ?variant=... by history.replaceState)
    const raw = (el.getAttribute("src") || "").trim();
    const empty = !raw || raw.startsWith("#") || (!!url && url.split("#")[0] === HERE.split("#")[0]);
    for (const a of LAZY) {  // a lazy image not yet swapped in: the URL it will show is in its attribute
      const v = el.getAttribute(a);
      if (v && V.encodedAddress.test(v.trim())) continue;
      if (v && (empty || placeholderSrc(url) || el.naturalWidth === 0)) { url = abs(v.split(/[\s,]/)[0]); swapped = true; break; }
    }
    if (empty && !swapped) {  // a lazy loader of the shop's own (imgpath="a.jpg", data-xyz=...)
      const own = [...el.attributes].find((a) => a.name !== "src" && V.imageFile.test(a.value.trim()));
      url = own ? abs(own.value.trim()) : null;
    }
    if (url && url.startsWith("data:")) url = null;
    const cs = getComputedStyle(el);
    let clipped = false;
    if (el.complete && el.naturalWidth > 0 && (cs.objectFit === "cover" || cs.objectFit === "none")) {
      clipped = Math.abs(el.naturalWidth / el.naturalHeight - r.width / Math.max(r.height, 1)) > 0.05;
    }
    return { url: url ? abs(url) : null, alt: (el.getAttribute("alt") || "").trim(), kind: "img",
             rendered_width: r.width, rendered_height: r.height,
             natural_width: el.complete ? el.naturalWidth : 0, natural_height: el.complete ? el.naturalHeight : 0,
             visible: shown(el), clipped, object_fit: cs.objectFit || "fill", selector: path(el), box: rect(el) };
  };
  // how a CSS background is drawn (its first layer): at a size of its own when background-size sets
  // both sides ("30px 30px", "100% 100%": then it can be out of shape, object_fit "fill"), else
  // "cover" / "contain" or at its own shape ("none": auto on a side keeps the ratio); a pattern tiled
  // across its box is a texture, not a picture ("none")
  const bgDrawn = (el, cs) => {
    const first = (cs.backgroundSize || "auto").split(",")[0].trim();
    if (first === "cover" || first === "contain") return { fit: first };
    const [a, b] = first.split(/\s+/);
    if (!b || a === "auto" || b === "auto") return { fit: "none" };
    const origin = (cs.backgroundOrigin || "padding-box").split(",")[0].trim();
    const px = (k) => parseFloat(cs[k]) || 0;
    let bw = el.clientWidth, bh = el.clientHeight;  // the padding box: what percentages are of
    if (origin === "border-box") { bw = el.offsetWidth; bh = el.offsetHeight; }
    else if (origin === "content-box") { bw -= px("paddingLeft") + px("paddingRight"); bh -= px("paddingTop") + px("paddingBottom"); }
    const len = (v, whole) => (v.endsWith("%") ? parseFloat(v) / 100 * whole : v.endsWith("px") ? parseFloat(v) : NaN);
    const w = len(a, bw), h = len(b, bh);
    if (!(w > 0 && h > 0)) return { fit: "none" };
    let rep = (cs.backgroundRepeat || "repeat").split(",")[0].trim().split(/\s+/);
    rep = rep[0] === "repeat-x" ? ["repeat", "no-repeat"] : rep[0] === "repeat-y" ? ["no-repeat", "repeat"] : rep.length === 1 ? [rep[0], rep[0]] : rep;
    if (rep.includes("round") || (rep[0] !== "no-repeat" && w < bw / 2) || (rep[1] !== "no-repeat" && h < bh / 2)) return { fit: "none" };
    return { fit: "fill", w, h };
  };
  const bgImage = (el) => { const u = bgUrl(el); if (!u) return null;
    const r = el.getBoundingClientRect(); const d = bgDrawn(el, getComputedStyle(el));
    return { url: u, alt: el.getAttribute("aria-label") || el.getAttribute("title") || "", kind: "background",
             rendered_width: r.width, rendered_height: r.height, visible: shown(el), object_fit: d.fit,
             drawn_width: d.w || 0, drawn_height: d.h || 0, selector: path(el), box: rect(el) }; };
  // (and a form field's icon: suning-wangjiangchao's login fields draw theirs as the <input>'s background)
  const BG_BOXES = "a, div, section, span, li, i, em, b, strong, p, dt, dd, h1, h2, h3, h4, h5, h6, header, nav, aside, figure, button, label, input";

  const areaBox = (a) => {  // an image-map hot zone has no box of its own: its coords on the image
    if (a.tagName !== "AREA") return null;
    const m = a.closest("map"); const im = m && document.querySelector("img[usemap='#" + m.name + "']");
    if (!im) return null; const r = rect(im);
    const c = (a.getAttribute("coords") || "").split(",").map(Number);
    const sx = r[2] / (im.naturalWidth || r[2]), sy = r[3] / (im.naturalHeight || r[3]);
    return c.length === 4 && (a.getAttribute("shape") || "rect").toLowerCase().startsWith("rect")
      ? [r[0] + c[0] * sx, r[1] + c[1] * sy, (c[2] - c[0]) * sx, (c[3] - c[1]) * sy] : r;
  };
  const linkOf = (a, extra) => {
    const href = a.tagName === "AREA" || a.tagName === "A" ? a.getAttribute("href") : null;
    let url = href !== null ? href.trim() : null;
    if (url === null) {  // onclick targets: location.href='...' / window.open('...')
      const m = V.onclickNavigation.exec(a.getAttribute("onclick") || "");
      if (!m) return null; url = m[1];
    }
    const img = a.querySelector && a.querySelector("img");
    // a link with a scheme other than http(s) keeps its text as written (the browser lower-cases schemes)
    const raw = V.rawLink.test(url);
    const o = { url: raw ? url : abs(url),
                text: a.tagName === "AREA" ? (a.getAttribute("alt") || a.getAttribute("title") || "") : (txt(a) || (a.getAttribute("title") || "")),
                kind: a.tagName === "AREA" ? "area" : a.tagName === "A" ? "a" : "onclick", selector: path(a),
                coords: a.tagName === "AREA" ? (a.getAttribute("coords") || "") : null,
                revealed_by: a.getAttribute("data-auditor-revealed") || null, level: 0,
                image: img ? image(img) : (a.tagName === "A" ? bgImage(a) : null), box: areaBox(a) || rect(a) };
    if (!o.text && o.image) o.text = o.image.alt;
    return Object.assign(o, extra || {});
  };
  // hidden, but one of a set whose other member shows (a tab panel, a hidden slide): a click reveals it;
  // a copy of the menu hidden for another screen size has no shown sibling of its kind. Two siblings are
  // of a kind when one's classes hold the other's (the shown one adds its state: "on", "display", "in")
  const classesOf = (e) => [...e.classList].filter((k) => !V.stateClass.test(k));
  const sameKind = (a, b) => {
    if (a.tagName !== b.tagName) return false;
    const ca = classesOf(a), cb = classesOf(b);
    // two bare boxes are alike when they hold the same kind of thing: panels of one tab group do; a
    // hidden mobile menu of links beside an empty box drawn by its CSS background does not
    if (!ca.length || !cb.length) return ca.length === cb.length && !!a.firstElementChild && !!b.firstElementChild
      && a.firstElementChild.tagName === b.firstElementChild.tagName;
    const [small, big] = ca.length <= cb.length ? [ca, cb] : [cb, ca];
    return small.every((k) => big.includes(k));
  };
  const revealable = (el) => {
    let faded = false;
    for (let x = el; x && x !== document.body; x = x.parentElement) {
      const cs = getComputedStyle(x);
      faded = faded || parseFloat(cs.opacity) === 0;
      if (cs.display !== "none") continue;
      return !!x.parentElement && [...x.parentElement.children].some((k) => k !== x && sameKind(k, x) && shown(k));
    }
    // laid out but transparent until the pointer is on its card (Colorlib Ashion's .product__hover: the
    // zoom link to each product's picture, opacity 0 until the card is hovered; ashion-indycrafty's
    // pointed at two pictures the copy lacks): a visitor reveals it
    const r = el.getBoundingClientRect();
    return faded && getComputedStyle(el).visibility !== "hidden" && r.width > 0 && r.height > 0;
  };

  // a copy of a link hidden for another screen size (a small-screen menu beside the shown one): not on
  // show, nothing reveals it, and a link on show goes to the same address; the shown copy is the one kept
  let shownUrls = null;
  const hiddenCopy = (a, url) => {
    if (a.tagName === "AREA" || a.getAttribute("data-auditor-revealed") || a.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    if (revealable(a)) return false;
    if (!shownUrls) {
      shownUrls = new Set(); let n = 0;
      for (const x of document.querySelectorAll("a[href]")) {
        if (++n > 20000) break;
        if (x.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) shownUrls.add(abs(x.getAttribute("href").trim()));
      }
    }
    return shownUrls.has(url);
  };
  // a page with 60,000 links is read up to a budget; what is left out is counted, not lost silently
  const budget = { links: args.maxLinks || 5000, images: args.maxLinks || 5000 };
  const leftOut = { links: 0, images: 0 };
  const spend = (what) => { if (budget[what] > 0) { budget[what]--; return true; } leftOut[what]++; return false; };
  // (`shownOnly`: hidden copies of shown links left out)
  const linksIn = (root, shownOnly) => { const out = [];
    for (const a of root.querySelectorAll("a[href], area[href], [onclick]")) {
      if (shownOnly && a.tagName === "A" && a.hasAttribute("href") && hiddenCopy(a, abs(a.getAttribute("href").trim()))) continue;
      if (!spend("links")) continue; const l = linkOf(a); if (l) out.push(l); }
    return out; };
  const imagesIn = (root) => {
    const out = [];
    for (const im of root.querySelectorAll("img")) if (spend("images")) out.push(image(im));
    let n = 0;
    for (const el of root.querySelectorAll(BG_BOXES)) {
      if (++n > 20000) break;  // CSS backgrounds: the first 20,000 boxes are plenty for banners
      // wide ones (banners), and any drawn at a size of its own (an icon can be out of shape)
      const b = bgImage(el); if (b && (b.rendered_width >= 200 || (b.object_fit === "fill" && b.visible)) && spend("images")) out.push(b); }
    return out;
  };

  // after one hover or click: the entries it made appear, read while they exist (a menu built on
  // mouseenter and removed on mouseleave is gone by the time the page is read)
  // `roots`: the elements a mutation touched (the observer below), else the whole page
  if (args.phase === "collect") {
    const got = window.__auditorRevealed = window.__auditorRevealed || [];
    const keys = window.__auditorRevealedKeys = window.__auditorRevealedKeys || new Set();
    // links made by the hover, and links written in the page that it showed (a fly-out hidden until now)
    const NEW = "a[href]:not([data-auditor-seen]), area[href]:not([data-auditor-seen]), a[href]:not([data-auditor-shown])";
    const found = args.roots ? args.roots.flatMap((r) => r.isConnected ? [...(r.matches(NEW) ? [r] : []), ...r.querySelectorAll(NEW)] : [])
      : document.querySelectorAll(NEW);
    let looked = 0;
    for (const a of found) {
      if (++looked > 5000) break;
      if (!shown(a) || got.length >= 2000) continue;
      const l = linkOf(a, { kind: "menu", revealed_by: args.how || "hover", level: args.level || 1 });
      // (picture links with no text to the same "#": one per picture, taobao-niantianlei's fly-outs)
      const key = l.url + "|" + l.text + "|" + (l.image ? l.image.url : "");
      if (keys.has(key)) continue; keys.add(key); got.push(l);
    }
    if (args.roots) return got.length;
    // CSS backgrounds drawn at a size of their own that were hidden and now show (a fly-out's icons)
    const pics = window.__auditorRevealedPics = window.__auditorRevealedPics || [];
    for (const el of document.querySelectorAll("[data-auditor-hidden-bg]")) {
      if (pics.length >= 400 || !shown(el)) continue;
      el.removeAttribute("data-auditor-hidden-bg");
      const b = bgImage(el); if (b && b.object_fit === "fill") pics.push(b);
    }
    for (const im of document.querySelectorAll("[data-auditor-hidden-img]")) {
      if (pics.length >= 400 || !shown(im)) continue;
      im.removeAttribute("data-auditor-hidden-img");
      const p = image(im); if (p.url) pics.push(p);
    }
    return got.length;
  }

  // while menus are hovered and clicked: every change the page makes is read as it happens, so a fly-out
  // built a moment after the pointer arrives (SuperSlide's menus open 150 ms after mouseover: jd-dyz) and
  // removed on mouseleave, rebuilt, or closed by its own timer is read while it exists. `how`/`level`:
  // what the entries it reveals are marked with; {stop: true} ends it.
  if (args.phase === "observe") {
    const self = window.__auditorExtract;
    window.__auditorCollectArgs = Object.assign({}, args, { phase: "collect" });
    if (args.stop) { if (window.__auditorMenuObserver) window.__auditorMenuObserver.disconnect(); window.__auditorMenuObserver = null; return false; }
    if (!window.__auditorMenuObserver && typeof self === "function" && document.body) {
      window.__auditorMenuObserver = new MutationObserver((records) => {
        window.__auditorLastMutation = performance.now();
        const roots = new Set();
        for (const r of records) {
          if (roots.size > 200) break;
          if (r.type === "childList") r.addedNodes.forEach((n) => { if (n.nodeType === 1) roots.add(n); });
          else if (r.target.nodeType === 1) roots.add(r.target);
        }
        if (roots.size) self(Object.assign({}, window.__auditorCollectArgs, { roots: [...roots] }));
      });
      window.__auditorMenuObserver.observe(document.body, { childList: true, subtree: true, attributes: true,
        attributeFilter: ["class", "style", "hidden", "open", "aria-hidden", "aria-expanded"] });
    }
    return !!window.__auditorMenuObserver;
  }

  // entries that hovering revealed, to hover in turn (nested menus)
  if (args.phase === "revealed") {
    return [...new Set([...document.querySelectorAll("a:not([data-auditor-seen]):not([data-auditor-hovered])")].slice(0, 40)
      .map((a) => { a.setAttribute("data-auditor-hovered", "1"); return path(a.closest("li") || a); }))];
  }

  // ---- structure ----
  const W = document.documentElement.clientWidth || 1200;
  const taken = new Set();
  const inTaken = (el) => { for (let e = el; e; e = e.parentElement) if (taken.has(e)) return true; return false; };
  const regions = [];
  const add = (kind, el, extra) => {
    if (!el || inTaken(el)) return null;
    taken.add(el); el.setAttribute("data-auditor-region", kind);
    const reg = Object.assign({ kind, el, selector: path(el) }, extra || {}); regions.push(reg); return reg;
  };

  // carousels: a box whose track holds 2+ slides each about as wide as the box, laid side by side
  // behind a clipping box (sliding), or stacked on one another (fading), or hidden but one
  const clips = (el) => { const cs = getComputedStyle(el);
    return /hidden|clip|auto|scroll/.test(cs.overflow + " " + cs.overflowX); };
  // the same kind of element: one tag, and a class in common (state classes aside), or none to compare,
  // or the same inside (slides named one by one, tmall-clude's li.one / li.two around div.listWrap)
  // (read case-sensitively, as class names are: "ShowGoodsBox" names a kind of box, not its state)
  const SLIDE_STATE = new RegExp((args.vocab || {}).slideStateClass), CELL_STATE = new RegExp((args.vocab || {}).cellStateClass);
  const classes = (e) => [...e.classList].filter((k) => !SLIDE_STATE.test(k));
  // (what is inside: its children's kinds, and its first child's: a header bar and its hidden sticky copy
  // differ there, slides of one template do not)
  const kindOf = (e) => e.tagName + "." + classes(e).sort().join(".");
  const inside = (e) => { const c = e.firstElementChild; return c ? [...e.children].slice(0, 6).map(kindOf).join(",") + "/"
    + [...c.children].slice(0, 6).map(kindOf).join(",") : ""; };
  const alike = (a, b) => {
    if (a.tagName !== b.tagName) return false;
    const ca = classes(a), cb = classes(b);
    return !ca.length || !cb.length || ca.some((k) => cb.includes(k)) || (!!inside(a) && inside(a) === inside(b));
  };
  const menuList = (c) => !c.querySelector("img") && !bgUrl(c)
    && [...c.querySelectorAll("ul, ol")].slice(0, 20).some((l) => l.querySelectorAll(":scope > li > a[href]").length >= 3);
  const slideSetOf = (box) => {
    const bw = box.getBoundingClientRect().width; if (bw < 150) return null;
    const tracks = [box, ...box.querySelectorAll(":scope > *, :scope > * > *")];
    for (const t of tracks) {
      if (t.childElementCount > 200) continue;  // a list of hundreds is a grid or a link farm, not slides
      // the slides, not the controls beside them (a row of dots, an arrow)
      const kids = [...t.children].filter((c) => (c.querySelector("img, a") || bgUrl(c) || c.matches("a[href]"))
        && !isArrow(c) && !(c.children.length >= 2 && [...c.children].every(markerLike)));
      if (kids.length < 2) continue;
      // a slide is as big as what it shows: an <a> whose picture is absolutely placed has no box of its
      // own (jd-zhangcui #galleryads: six <a><img></a>, the pictures position:absolute)
      // (and a box with no height of its own, around floats, is as big as its picture: xiaomi-eugeneyichen's
      // header wraps its floated logo in a 1226x0 box laid under the menu bar; it is no slide)
      const rs = kids.map((c) => { const r = c.getBoundingClientRect(); const im = c.matches("img") ? null : c.querySelector("img");
        const flat = r.height < 20;
        const ir = im && (r.width < bw * 0.5 || flat) ? im.getBoundingClientRect() : null; return ir && (ir.width > r.width || flat) ? ir : r; });
      const wideKids = kids.filter((c, i) => rs[i].width >= bw * 0.85 && rs[i].width <= bw * 1.15 && rs[i].height >= 20);
      if (!wideKids.length) continue;  // one slide at least is shown, as wide as the box
      const wide = wideKids.map((c) => rs[kids.indexOf(c)]);
      // a hidden slide is one of the shown one's kind: a menu's fly-out panels beside its list, or a
      // header's sticky copy hidden until the page scrolls, are not slides (taobao-niantianlei)
      const hiddenKids = kids.filter((c) => getComputedStyle(c).display === "none");
      const likeIt = (ref) => hiddenKids.filter((c) => alike(c, ref)).length;
      const ref = wideKids.reduce((best, c) => (likeIt(c) > likeIt(best) ? c : best), wideKids[0]);
      const hidden = likeIt(ref);
      // most of the children are slides; with hidden slides and one child of another kind beside them (a
      // caption bar, a row of text tabs), most of those of their kind; a section of many kinds is no track
      const like = kids.filter((c) => alike(c, ref)).length;
      const pool = hidden && kids.length - like <= 1 ? like : kids.length;
      const shownLike = pool === like ? wideKids.filter((c) => alike(c, ref)).length : wide.length;
      if (wide.length + hidden < 2 || shownLike + hidden < pool * 0.8 || !wide.length) continue;
      const w0 = wide[0];
      const sideBySide = wide.some((r) => Math.abs(r.top - w0.top) < 5 && Math.abs(r.left - w0.left) > bw * 0.5);
      // (laid over one another: slides, unless only one of them shows a picture — a product card's
      // words and badge laid over its photo are a card, not two slides: shopify-meatshed's Dawn cards)
      const overW0 = wideKids.filter((c, i) => Math.abs(wide[i].top - w0.top) < 5 && Math.abs(wide[i].left - w0.left) < 5);
      const pictured = overW0.filter((c) => [c, ...c.querySelectorAll("*")].slice(0, 40).some((e) => e.tagName === "IMG" || bgUrl(e))).length;
      const stacked = overW0.length >= 2 && !(pictured === 1 && overW0.length === 2);
      if ((sideBySide && (clips(box) || clips(t))) || stacked) return { track: t, slides: kids };
      // one shown, the others hidden: the slides are those of its kind (not the caption bar beside them);
      // but a menu and its copy for small screens (a list of links each, no picture) are no slides
      if (hidden >= 1 && !(menuList(ref) && hiddenKids.filter((c) => alike(c, ref)).every(menuList)))
        return { track: t, slides: kids.filter((c) => alike(c, ref)) };
    }
    return null;
  };
  // A carousel needs evidence beyond shape: dots or thumbs, prev/next controls, a known slider's
  // structure, or slides seen to change while watched. A form, a tab-panel group, a <select>, a login
  // box or a box taller than most of the screen is never one (real clones: login.html's QR/password
  // tabs, Bootstrap .tab-pane galleries, a JD header 732 px tall were all "stalled carousels").
  const SLIDER_LIB = /swiper|slick|owl-(carousel|stage)|carousel|splide|glide|flickity|slider|slideshow|switchable|unslider|bxslider|lunbo|focus-?(pic|img|box)/i;
  const classy = (e) => e && e.nodeType === 1 ? (e.id || "") + " " + (typeof e.className === "string" ? e.className : "") : "";
  const smallBox = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.width <= 48 && r.height > 0 && r.height <= 48; };
  const ICON = /icon|(^|\s)(fa[brs]?|zmdi|glyphicon|bi|lnr|ti)(\s|-|$)/i;  // icon fonts: Font Awesome, Material, Bootstrap...
  // an unnamed marker is empty, a bullet or a slide number; not an icon, a picture, a word or a link
  // elsewhere (real clones: a footer's payment icons and social links, a blog card's "By |" byline)
  const markerLike = (k) => smallBox(k) && /^(\d{1,2}|[•·●○◦])?$/.test(txt(k))
    && !k.matches("img, svg") && ![k, ...k.querySelectorAll("*")].some((e) => e.matches("img, svg") || ICON.test(classy(e)))
    && !(k.matches("a[href]") && !/^(#|javascript:|$)/i.test(k.getAttribute("href").trim()));
  const sameSize = (kids) => { const r0 = kids[0].getBoundingClientRect();
    return kids.every((k) => { const r = k.getBoundingClientRect(); return Math.abs(r.width - r0.width) <= 2 && Math.abs(r.height - r0.height) <= 2; }); };
  // (`over`: markers found beside the slider, in its wrapper, are its dots only when they sit over or under
  // it; a category tree's dashed connectors in the column beside it, two empty 25x10 spans a line, are not:
  // tmall-coolwind goodslist.html's filter panel)
  const dotsIn = (root, over) => {  // a row of 2+ small same-size markers, or a group named like one
    if (!root) return 0;
    let best = 0;
    for (const g of root.querySelectorAll("ul, ol, div, span, p")) {
      const kids = [...g.children]; if (kids.length < 2 || kids.length > 30) continue;
      if (over) { const r = g.getBoundingClientRect(), mid = r.left + r.width / 2; if (mid < over.left || mid > over.right) continue; }
      if (kids.some((k) => isArrow(k))) continue;  // prev/next are controls, not one marker per slide
      if (/(^|[\s_-])(stars?|rate|swatch(es)?|colou?rs?|sizes?)([\s_-]|$)|rating/i.test(classy(g))) continue;  // a product's stars, swatches, sizes
      const named = /dot|indicator|pagination|bullet|pager|thumb|nav-?num|switch-?nav|ks-switchable-nav/i.test(classy(g));
      const small = kids.every(markerLike) && sameSize(kids);
      if (named || small) best = Math.max(best, kids.length);
    }
    return best;
  };
  const isArrow = (e) => (/(^|[\s_-])(prev|next|arrow|left|right)([\s_-]|$)|-prev|-next|prev-|next-/i.test(classy(e)) ||
     /^(‹|›|<|>|«|»|❮|❯|上一[张页]?|下一[张页]?)$/.test(txt(e)) || /prev|next|previous|上一|下一/i.test(e.getAttribute("aria-label") || ""))
    && e.getBoundingClientRect().width <= 120;
  const arrowsIn = (root) => !!root && [...root.querySelectorAll("a, button, span, div, i")].some(isArrow);
  const libraryOf = (box, set) => [box, box.parentElement, set.track, set.slides[0]].some((e) => SLIDER_LIB.test(classy(e)))
    || !!box.closest("[aria-roledescription=carousel]") || !!box.querySelector("[aria-roledescription=slide]");
  const signalsOf = (box, set) => {
    // controls sit in the slider or beside it in a wrapper not much bigger than it (not the whole page)
    const pr = box.parentElement && box.parentElement !== document.body ? box.parentElement.getBoundingClientRect() : null;
    const br = box.getBoundingClientRect();
    // (a wrapper of floats with no height of its own holds the whole page section: jd-zhangcui #content)
    const wrap = pr && pr.height >= br.height - 2 && pr.width * pr.height <= br.width * br.height * 1.6 ? box.parentElement : null;
    const out = []; const dots = dotsIn(box) || dotsIn(wrap, br);
    if (dots) out.push("dots"); if (arrowsIn(box) || arrowsIn(wrap)) out.push("arrows");
    if (libraryOf(box, set)) out.push("library");
    return { signals: out, dots };
  };
  const excluded = (box, set, lib) => {
    if (box.closest("form, select, datalist") || box.querySelector("input[type=password], select, textarea")) return true;
    if (set.slides.some((s) => s.tagName === "OPTION" || s.querySelector("form, input[type=password]"))) return true;
    if (!lib && (box.closest("[role=tabpanel], .tab-pane, .tab-content") || box.querySelector("[role=tablist]")
        || set.slides.some((s) => s.matches("[role=tabpanel], .tab-pane")))) return true;
    // taller than most of the screen, or no height of its own: a wrapper of floats (jd-zhangcui #content,
    // 1210x0, around the KV and the floors) is the section around sliders and tab panels, not one
    const h = box.getBoundingClientRect().height;
    return h > innerHeight * 0.85 || h < 20;
  };
  // one wide slide and dots for several: a KV that cannot rotate. Only a KV (large, in the first
  // screens, not in a footer): a product card's star rating or colour swatches beside its one picture
  // are not a carousel's dots (woo-shopstic related products)
  const singleWithDots = (box) => {
    const br = box.getBoundingClientRect(), bw = br.width;
    if (bw < Math.min(600, W * 0.5) || br.top + scrollY > innerHeight * 1.2 || box.closest("footer, [role=contentinfo]")) return null;
    const dots = dotsIn(box); if (!dots) return null;
    for (const c of box.querySelectorAll(":scope > *, :scope > * > *")) {
      const r = c.getBoundingClientRect();
      if (r.width >= bw * 0.85 && r.height >= 100 && (c.querySelector("img") || bgUrl(c) || c.tagName === "IMG")) {
        // slides hidden with display:none have no box: the shown one's siblings of the same kind are slides too
        const kind = (e) => e.tagName + "." + classes(e).sort().join(".");
        const sameAs = (e) => [...e.parentElement.children].filter((k) => k !== e && kind(k) === kind(e) && (k.querySelector("img") || bgUrl(k) || k.tagName === "IMG"));
        // the picture's wrapper may be the slide (<a><img></a> of which the others are display:none); the
        // box holding the picture may hold the slides, stacked in its place (tmall-jiasifan .banner_img:
        // five absolutely placed <img>, the top one the shown slide)
        const big = [...c.children].slice(0, 40).find((k) => { const kr = k.getBoundingClientRect(); return kr.width >= bw * 0.85 && kr.height >= 100; });
        const inner = big ? [big] : [];
        for (const slide of [...inner, ...(c.parentElement !== box ? [c, c.parentElement] : [c])]) {
          const same = sameAs(slide);
          if (same.length) return { track: slide.parentElement, slides: [slide, ...same], single: false };
        }
        return { track: c.parentElement, slides: [c], single: true };
      }
    }
    return null;
  };
  const carouselEls = []; const carouselSets = new Map();
  // watchers are matched by the element itself: a script inserting nodes shifts nth-of-type paths
  const watchOf = (el) => (window.__auditorCarousels || []).find((w) => w.el === el);
  const consider = (el, forced, single) => {
    const set = single ? singleWithDots(el) : slideSetOf(el); if (!set && !forced) return;
    const real = set || { track: el, slides: [...el.children] };
    const sig = signalsOf(el, real);
    // a tab group is excused only by a slider's name on the box itself, not on its panels (suning's 秒杀
    // sessions: three tab panels, the first of them a Swiper of its own)
    const ownLibrary = [el, el.parentElement, real.track].some((e) => SLIDER_LIB.test(classy(e)))
      || !!el.closest("[aria-roledescription=carousel]");
    if (!forced && excluded(el, real, ownLibrary)) return;
    // a slider in a closed dialog (a quick-view gallery, visibility:hidden) is not on the page; in the
    // mark phase it is still watched, since a page may be fading in (animsition) while it is marked
    if (!forced && args.phase === "read" && !shown(el)) return;
    // changing once is weak evidence on its own (a menu we hovered closing, a late image): twice is a rhythm
    const w = watchOf(el); const moved = !!(w && w.moves.length + (w.earlier || 0) >= (sig.signals.length ? 1 : 2));
    if (moved) sig.signals.push("moved");
    // mark phase: every candidate is watched; read phase: only those with evidence are carousels
    if (!forced && args.phase === "read" && !sig.signals.length) return;
    carouselEls.push(el); carouselSets.set(el, Object.assign({}, real, sig));
  };
  for (const el of q(S.carousel)) consider(el, true);
  if (!S.carousel) {
    const boxes = [...document.querySelectorAll("body *")].filter((el) => el.childElementCount >= 1
      && el.childElementCount <= 200 && !/^(SCRIPT|STYLE|A|IMG|P|SPAN|H[1-6]|SELECT|OPTION|FORM)$/.test(el.tagName));
    for (const el of boxes) {  // slides first; a lone slide with dots only where no slide set was found
      if (!carouselEls.some((c) => c.contains(el) || el.contains(c))) consider(el, false, false);
    }
    for (const el of [...boxes].reverse()) {  // innermost first: the slider, not the section around it
      if (!carouselEls.some((c) => c.contains(el) || el.contains(c))) consider(el, false, true);
    }
  }
  // the KV: the first large carousel near the top (not merely the biggest one on the page)
  const large = carouselEls.filter((c) => { const r = c.getBoundingClientRect();
    return r.width >= Math.min(600, W * 0.5) && r.top + scrollY < innerHeight * 1.2; });
  // (else the biggest one, but not a sidebar's narrow widget: shopify-samceramics' best sellers, 270 px)
  const kvEl = q(S.kv)[0] || large.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0]
    || carouselEls.filter((c) => c.getBoundingClientRect().width >= Math.min(400, W * 0.5))
      .sort((a, b) => { const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
        return rb.width * rb.height - ra.width * ra.height; })[0];
  if (kvEl && !carouselEls.includes(kvEl)) consider(kvEl, true);

  // nav: the profile's selector, else <nav>/role=navigation near the top, else the row of 3+ links near
  // the top in the largest type (the utility bar above it, 登录 / 注册 / 我的订单, is set smaller: vip's
  // 12 px top bar over its 16 px main menu), the higher of two alike
  // the visible menu: a copy hidden for another screen size (a mobile drawer, box 0×0) is not the nav
  // (of two <nav> near the top, the one in the larger type: magento-plattar's 12 px utility <nav> of
  // Lookbooks / Contact / Sign in above its 15 px main menu, whose mega drop-downs a hover shows)
  const medianFont = (links) => {  // the type size of a menu's links, the middle one
    const fs = links.map((a) => parseFloat(getComputedStyle(a).fontSize) || 0).sort((a, b) => a - b);
    return fs.length ? fs[Math.floor(fs.length / 2)] : 0;
  };
  let navEl = q(S.nav)[0] || q("nav, [role=navigation]").filter((n) => n.getBoundingClientRect().top + scrollY < 300 && shown(n)
    && !carouselEls.some((c) => n.contains(c)))
    .map((n) => ({ n, font: medianFont([...n.querySelectorAll("a")].slice(0, 200).filter(shown).slice(0, 40)) }))
    .reduce((best, c) => (!best || c.font > best.font + 0.5 ? c : best), null)?.n;
  if (!navEl) {
    let best = null, bestFont = 0, bestTop = 0;
    for (const ul of document.querySelectorAll("ul, ol, div")) {
      const r = ul.getBoundingClientRect(); if (r.top + scrollY > 300 || r.width < W * 0.3) continue;
      if (carouselEls.some((c) => c.contains(ul) || ul.contains(c))) continue;  // a KV's track is no menu
      const items = [...ul.children].filter((c) => c.querySelector("a") || c.tagName === "A");
      if (items.length < 3) continue;
      // a row: entries side by side on one line, or wrapped onto a second close below (vip's 13 entries
      // on two lines 40 px apart); a column of entries or a grid of cards is not a menu bar
      const tops = items.map((c) => Math.round(c.getBoundingClientRect().top)).sort((a, b) => a - b);
      const lines = [];
      for (const t of tops) { const l = lines.find((x) => Math.abs(x.top - t) <= 10); if (l) l.n++; else lines.push({ top: t, n: 1 }); }
      if (lines.length > 2 || Math.max(...lines.map((l) => l.n)) < 3 || tops[tops.length - 1] - tops[0] > 60) continue;
      const font = medianFont(items.map((c) => (c.matches("a") ? c : c.querySelector("a"))));
      if (!best || font > bestFont + 0.5 || (Math.abs(font - bestFont) <= 0.5 && r.top < bestTop)) {
        best = ul; bestFont = font; bestTop = r.top;
      }
    }
    // the menu row and what is around it up to its <header>, but not a carousel: a header that also
    // holds the KV (tmall-neptune: <header> wraps the top bar, the menu row and #focus) is cut below it
    const hdr = best && best.closest("header");
    navEl = best;
    for (let e = best && best.parentElement; e && hdr && hdr.contains(e) && !carouselEls.some((c) => e.contains(c)); e = e.parentElement) navEl = e;
  }

  // footer
  let footEl = q(S.footer)[0] || q("footer, [role=contentinfo]").pop();
  if (!footEl) {
    const blocks = [...document.body.children].filter((c) => shown(c) && c.querySelectorAll("a").length >= 3 && !["SCRIPT", "STYLE"].includes(c.tagName));
    let last = blocks[blocks.length - 1];
    // a page wrapped in one big box: the footer is that box's last block, not the whole page
    while (last && last.getBoundingClientRect().height > Math.min(900, document.body.scrollHeight * 0.4)) {
      const inner = [...last.children].filter((c) => shown(c) && c.querySelectorAll("a").length >= 3 && !["SCRIPT", "STYLE"].includes(c.tagName));
      last = inner[inner.length - 1];
    }
    if (last && last.getBoundingClientRect().bottom + scrollY >= document.body.scrollHeight * 0.8) footEl = last;
  }

  // announcements: a block headed 公告/notice, a marquee, or one the profile names
  const noticeEls = q(S.announcement);
  if (!S.announcement) {
    const words = /^(店铺公告|公告|通知|announcement|notice|news)/i;
    for (const h of document.querySelectorAll("h1,h2,h3,h4,h5,strong,b,span,div,dt,p")) {
      if (h.children.length > 1 || !words.test(txt(h)) || txt(h).length > 12) continue;
      const box = h.parentElement; if (box && box !== document.body && !noticeEls.includes(box)) noticeEls.push(box);
    }
    for (const m of q("marquee, [role=marquee], [aria-live]")) if (!noticeEls.some((n) => n.contains(m))) noticeEls.push(m);
    for (const m of q("[aria-label], [title], [role=region], [role=status]")) {
      const label = (m.getAttribute("aria-label") || m.getAttribute("title") || "");
      if (/announce|notice|公告|通知|bulletin/i.test(label) && !m.matches("a, img") && !noticeEls.some((n) => n.contains(m))) noticeEls.push(m);
    }
  }

  // showcase: 3+ siblings of one shape (tag + class), most holding an image and a link, laid out in rows
  const sig = (e) => e.tagName + "." + [...e.classList].filter((c) => !CELL_STATE.test(c)).sort().join(".");
  // a grid's cells share a shape: their tag and the classes most of them carry (a filterable grid tags
  // each card with its category as well: cozastore's isotope-item women / men / bag)
  const cellsOf = (el) => {
    // (a table's heading row is no cell: jd-zhangcui #qualitylifetable1's 新发现 / 好东西 / 品牌街 tabs)
    const kids = [...el.children].filter((k) => !(k.tagName === "TR" && k.querySelector("th") && !k.querySelector("td")));
    const freq = {}; kids.forEach((k) => k.classList.forEach((c) => { freq[c] = (freq[c] || 0) + 1; }));
    const shape = (k) => sig(k).split(".").filter((c, i) => i === 0 || freq[c] >= kids.length * 0.5).join(".");
    const groups = {}; kids.forEach((k) => { (groups[shape(k)] = groups[shape(k)] || []).push(k); });
    return Object.values(groups).sort((a, b) => b.length - a.length)[0] || [];
  };
  const drawer = (el) => {
    const b = el.getBoundingClientRect();
    if (getComputedStyle(el).visibility !== "hidden" && b.left < innerWidth && b.right > 0) return false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) if (getComputedStyle(e).position === "fixed") return true;
    return false;
  };
  const gridEls = q(S.showcase);
  if (!S.showcase) {
    for (const el of document.querySelectorAll("body *")) {
      const kids = [...el.children]; if (kids.length < 3 || kids.length > 2000) continue;
      const cells = cellsOf(el);
      // cells alike in size: the sections of a page (tmall-clude's #mainWrap: side nav, 活动, 品牌, floors)
      // share a bare <div> but not a shape on screen
      const boxes = cells.map((c) => c.getBoundingClientRect()).filter((r) => r.width && r.height);
      // most cells not on screen: panels shown one at a time, or a closed fly-out's lists of products
      // (xiaomi-yooabe #J_navMenu: one <ul> of cards per menu entry, the menu display:none), not a grid
      if (boxes.length < cells.length * 0.5) continue;
      // a drawer fixed to the window and kept out of sight until it is opened (cozastore-hdcosmetic's header
      // cart: visibility:hidden, right:-400px, listing the cart's lines with their pictures): not a showcase
      if (drawer(el)) continue;
      const mid = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] || 0;
      const mw = mid(boxes.map((r) => r.width)), mh = mid(boxes.map((r) => r.height));
      // (three at least: a page's three columns, two of them near in width, are no grid of two alike and
      // one odd cell: jd-dyz #content_con's 210 px category menu, 730 px KV and 250 px 快报 column)
      if (boxes.filter((r) => Math.abs(r.width - mw) <= 0.2 * mw && Math.abs(r.height - mh) <= 0.35 * mh).length < Math.max(3, boxes.length * 0.6)) continue;
      if (cells.length < 3 || cells.length < kids.length * 0.6) continue;
      // a card is a picture with its link, or with its price: a shop's copy whose cards link nowhere yet
      // (xiaomi-liyanlon's 家电 floor: <div><img><h1>小米电视4A</h1><h2>8月21~31日专享</h2><h6>2599元</h6>)
      const pictured = cells.filter((c) => c.querySelector("img"));
      if (pictured.length < Math.max(2, cells.length * 0.5)) continue;
      const priced = new Set(cells.filter((c) => V.priceText.test(txt(c))));
      const full = pictured.filter((c) => c.querySelector("a[href]") || c.closest("a[href]") || priced.has(c));
      if (full.length < Math.max(2, cells.length * 0.5)) continue;
      // … or a strip of cards a script never filled: every cell a picture with no address, lazy or not,
      // and no words (huawei-geekteam's 精品推荐: 16 cards <img src="">, their servlet not in the copy)
      const blank = () => cells.every((c) => !txt(c) && [...c.querySelectorAll("img")].every((im) => image(im).url === null));
      if (priced.size < full.length * 0.5 && !blank()) continue;
      const tops = new Set(cells.map((c) => Math.round(c.getBoundingClientRect().top)));
      if (tops.size === cells.length && cells.length > 3 && !/^(UL|OL)$/.test(el.tagName)) continue;  // a column, not a grid
      if (gridEls.some((g) => g.contains(el))) continue;
      gridEls.push(el);
    }
  }

  if (navEl) add("nav", navEl);
  carouselEls.forEach((el) => add(el === kvEl ? "kv" : "carousel", el));
  noticeEls.forEach((el) => add("announcement", el));
  gridEls.forEach((el) => add(args.pageKind === "category" ? "category" : "showcase", el));
  if (footEl) add("footer", footEl);

  // auditor/vocabulary.py BUY_CONTROLS and LINE_BLOCKS: what a buy control can be, a buy box's lines
  const BUY_CONTROLS = args.buyControls, LINE_BLOCKS = args.lineBlocks;
  // product pages: the price box near the title, and the blocks of links to other products
  if (args.pageKind === "product") {
    const productRe = args.productUrl ? new RegExp(args.productUrl) : null;
    const h1 = document.querySelector("h1");
    // (the first short element after the title that reads like a price, among the next 5,000: a page of
    // 60,000 links is not read whole for it)
    const all = [...document.querySelectorAll("body *")], from = h1 ? all.indexOf(h1) + 1 : 0;
    const priceEl = q(S.price)[0] || document.querySelector("[itemprop=price]") || all.slice(from, from + 5000)
      .find((e) => { if (e.children.length > 2) return false; const t = txt(e);
        return t.length < 40 && V.priceText.test(t) && !V.notPrice.test(t) && shown(e); });
    const box = priceEl && priceEl.parentElement;  // the price with its label and the struck price, not the page
    // the buy box: the nearest block holding the price and a buy control (加入购物车, Add to cart), whose
    // words are the product's own promotions (双11狂欢价 活动时间…, a JD 促销 row); else the price and its label
    let buyBox = null;
    for (let x = box, k = 0; x && x !== document.body && k < 6 && !buyBox; x = x.parentElement, k++)
      if (txt(x).length <= 1500 && [...x.querySelectorAll(BUY_CONTROLS)].some((b) => V.buyControl.test(b.tagName === "INPUT" ? b.value || "" : txt(b)))) buyBox = x;
    if (priceEl) add("product.price", buyBox || (box && box !== document.body && txt(box).length < 120 ? box : priceEl));
    if (productRe) {
      const here = HERE.split("#")[0];
      const cands = [...document.querySelectorAll("body *")].filter((e) => {
        const links = [...e.querySelectorAll("a[href]")];
        const prod = links.filter((a) => productRe.test(a.href) && a.href.split("#")[0] !== here);
        return prod.length >= REL.min_products && links.length <= REL.max_links && prod.length >= links.length * REL.share;
      });
      cands.filter((e) => !cands.some((o) => o !== e && e.contains(o) && o.querySelectorAll("a[href]").length >= 2))
        .forEach((e) => add("product.related", e));
    }
  }

  // banners: big linked images, image maps and CSS-background banners not inside another region
  const bannerCandidates = [...q(S.banner)];
  if (!S.banner) {
    for (const img of document.querySelectorAll("img")) {
      const r = img.getBoundingClientRect();
      if (r.width >= Math.min(300, W * 0.5) && r.height >= 60 && (img.closest("a[href]") || img.useMap)) bannerCandidates.push(img.closest("a[href]") || img);
    }
    for (const a of document.querySelectorAll("a[href]")) {
      const r = a.getBoundingClientRect(); if (r.width >= 300 && r.height >= 60 && bgUrl(a)) bannerCandidates.push(a);
    }
    // a big picture with its call-to-action link beside it (a section banner with a button)
    for (const img of document.querySelectorAll("img")) {
      const r = img.getBoundingClientRect();
      if (r.width < Math.min(300, W * 0.5) || r.height < 60 || img.closest("a[href]") || img.useMap) continue;
      let box = img.parentElement;
      for (let up = 0; box && box !== document.body && up < 3; up++, box = box.parentElement) {
        const links = box.querySelectorAll("a[href]").length;
        const bigImgs = [...box.querySelectorAll("img")].filter((i) => i.getBoundingClientRect().width >= 200).length;
        if (bigImgs > 1) break;
        if (links >= 1 && links <= 2) { bannerCandidates.push(box); break; }
      }
    }
    // a promotion picture is often not a link: a product page's detail banner (详情页海报: the
    // campaign, its dates, its price), a home page's strip (taobao-awesome's "618疯抢进行时" across the
    // top, jd-zhangcui's three #adsbelowqualitylife pictures): a wide picture, at least twice as wide
    // as tall; product photos are about square or taller
    for (const img of document.querySelectorAll("img")) {
      const r = img.getBoundingClientRect();
      if (r.width >= Math.min(300, W * 0.5) && r.height >= 60 && r.width >= 2 * r.height
          && !img.closest("a[href]") && !img.useMap) bannerCandidates.push(img);
    }
    // or drawn by CSS, not tiled, into an empty box of its own (jd-dyz's floors: an empty <div id="c_top">
    // showing its 438x157 poster "6.1儿童狂欢节 跨店3免1"); not a header's, a menu's or a footer's
    let looked = 0;
    for (const el of document.querySelectorAll("div, p, span, li, section, figure")) {
      if (el.childElementCount || (el.textContent || "").trim()) continue;
      if (++looked > 3000) break;  // empty boxes: the first 3,000 are plenty for posters
      const r = el.getBoundingClientRect();
      if (r.width < Math.min(300, W * 0.5) || r.height < 60 || r.width < 2 * r.height || !bgUrl(el)) continue;
      const cs = getComputedStyle(el);
      if (!/no-repeat/.test(cs.backgroundRepeat) || el.closest("header, nav, footer, [role=navigation], [role=contentinfo]")) continue;
      bannerCandidates.push(el);
    }
  }
  const pk = args.pageKind === "product";
  bannerCandidates.forEach((el) => add(pk ? "product.promo" : "banner", el));

  // a carousel watched from now on: every 100 ms, what an operator would see move
  const shownPictures = (el, box) => [...el.querySelectorAll("img")].slice(0, 40).filter((im) => {
    const b = im.getBoundingClientRect(); const w = Math.min(b.right, box.right) - Math.max(b.left, box.left);
    const h = Math.min(b.bottom, box.bottom) - Math.max(b.top, box.top);
    return w > 0 && h > 0 && w * h >= 0.5 * b.width * b.height && getComputedStyle(im).visibility !== "hidden"; })
    .map((im) => (im.currentSrc || im.src || "").slice(-60)).join(",");
  // a slider seen move only once in a whole watch (twice watchMs): its rhythm is at most the time from
  // the page's first byte (no script can start a timer before it) to that move, so its next move was
  // due by then; a quarter of a rhythm late, it has stopped ("moved once, then its script threw")
  const firstByte = () => (performance.getEntriesByType("navigation")[0] || {}).responseStart || 0;
  const loneOverdue = (w, now) =>
    now - Math.max(w.moves[0], w.lastChange) >= 1.25 * Math.max(w.moves[0] - firstByte(), 1000);
  // one seen move twice, then quiet for one and a half of its rhythm, has stopped ("moved twice, then its
  // script threw"): its third move was due. The rhythm is the longest of the gap between the two moves,
  // the time from the page's first byte to the first (as for a lone move), and the rhythm it declares:
  // a transition read in two bursts 0.7 s apart is no rhythm (shopify-pullman's slick)
  const twoThenQuiet = (w, now) => w.moves.length === 2 && !w.earlier
    && now - Math.max(w.moves[1], w.lastChange)
      >= 1.5 * Math.max(w.moves[1] - w.moves[0], w.moves[0] - firstByte(), w.declared || 0, 1000);
  // the rhythm a slider declares in its markup (Bootstrap data-interval, slick autoplaySpeed, Swiper
  // delay, data-autoplay="5000"): one that shows nothing is not judged before one and a half of it
  // (told to play with no rhythm of its own: Bootstrap's data-ride="carousel", data-autoplay="true",
  // "autoplay": true: the libraries' usual 5 s). {told: told to play, ms: the rhythm}. Bootstrap's
  // data-ride has Bootstrap's rhythm only where Bootstrap is: without it nothing plays the carousel by
  // that attribute, and only the page's own timers are waited for (RHYTHM_JS)
  const bootstrapThere = () => { try { const $ = window.jQuery;
    return !!((window.bootstrap && window.bootstrap.Carousel) || ($ && $.fn && $.fn.carousel)); } catch (e) { return false; } };
  const declaredDelay = (el) => {
    const near = [el, el.parentElement, ...el.querySelectorAll(":scope > *")].filter(Boolean).slice(0, 8);
    for (const e of near) {
      for (const a of ["data-interval", "data-bs-interval", "data-autoplay-speed", "data-autoplay", "data-swiper-autoplay", "data-delay"]) {
        const v = parseInt(e.getAttribute(a) || "", 10); if (v >= 500 && v <= 60000) return { told: true, ms: v }; }
      const opts = e.getAttribute("data-slick") || e.getAttribute("data-swiper") || e.getAttribute("data-options") || e.getAttribute("data-flickity") || "";
      const m = /"?(?:autoplaySpeed|delay|interval|autoPlay)"?\s*:\s*(\d{3,5})/i.exec(opts); if (m) return { told: true, ms: +m[1] };
      if (/^carousel$/i.test(e.getAttribute("data-ride") || e.getAttribute("data-bs-ride") || "")) return { told: true, ms: bootstrapThere() ? 5000 : 0 };
      if (/^true$/i.test(e.getAttribute("data-autoplay") || "") || /"?autoplay"?\s*:\s*true/i.test(opts)) return { told: true, ms: 5000 };
    }
    return { told: false, ms: 0 };
  };
  // what a slider library set up on an element says of playing, from its own options once set up (slick,
  // Swiper, Owl 1 and 2, Flickity: all default to not playing): true, false, or null (no library there).
  // shopify-pullman's hero slider: slick with arrows and `autoplay: false` in a script, no attribute
  const libraryPlays = (e) => {
    try {
      if (e.slick && e.slick.options) return !!e.slick.options.autoplay;
      if (e.swiper && e.swiper.params) { const a = e.swiper.params.autoplay;
        return typeof a === "number" ? a > 0 : !!a && a.enabled !== false; }
      const $ = window.jQuery;
      const owl = $ && $.fn && $(e).data("owl.carousel");
      if (owl && (owl.settings || owl.options)) return !!(owl.settings || owl.options).autoplay;
      const owl1 = $ && $.fn && $(e).data("owlCarousel");
      if (owl1 && owl1.options) return !!owl1.options.autoPlay;
      const fl = window.Flickity && typeof window.Flickity.data === "function" && window.Flickity.data(e);
      if (fl && fl.options) return !!fl.options.autoPlay;
    } catch (err) { /* a page's own object under one of those names */ }
    return null;
  };
  const startWatch = (r) => {
    const set = carouselSets.get(r.el) || { track: r.el, slides: [...r.el.children] };
    const state = () => {  // what an operator sees move: positions, visibility, active classes, transforms
      const box = r.el.getBoundingClientRect();
      return set.slides.map((s) => { const b = s.getBoundingClientRect(); const cs = getComputedStyle(s);
        // stacked slides change only their (inner) z-index or opacity
        const inner = s.firstElementChild; const ci = inner ? getComputedStyle(inner) : null;
        // a lone slide may swap its CSS picture (jd-journeypostcard .adimg: url(ad<N>.jpg) every 3 s)
        return [Math.round(b.left - box.left), Math.round(b.top - box.top), cs.opacity, cs.visibility, cs.display, cs.zIndex, s.className,
                cs.backgroundImage.slice(-80), ci ? ci.zIndex + "/" + ci.opacity + "/" + ci.display : ""].join("|"); }).join(";")
        + getComputedStyle(set.track).transform + "|" + Math.round(set.track.scrollLeft || 0) + "|" + Math.round(r.el.scrollLeft || 0)
        + "|" + shownPictures(r.el, box);  // a slider that rebuilds its track after each move changes only this
    };
    // a move is a burst of changes (one transition); bursts more than 600 ms apart are separate moves
    const declared = declaredDelay(r.el);
    const w = { el: r.el, selector: r.selector, started: performance.now(), moves: [], lastChange: -1e9, last: state(),
                told: declared.told, declared: declared.ms };
    // a move the page's script has started as a CSS transition that the tab has not drawn yet is a move:
    // under a crawl's load a tab may get no frame for seconds (the fixture store's KV, while the pages it
    // links to were loaded and photographed in the other tabs: its transitions waited 1.5-2.5 s, the
    // slide shown did not change, and two moves then one and a half rhythms of nothing read as
    // "stopped"). A stalled carousel starts none
    const parts = () => [set.track, ...set.slides.slice(0, 40)];
    const sliding = () => typeof CSSTransition === "undefined" ? [] : parts().flatMap((e) =>
      e.getAnimations().filter((a) => a instanceof CSSTransition && a.playState === "running"));
    // A transition the page starts 800 ms or more after the last move began is a move of its own, even
    // when the last one has only just been drawn: a starved tab draws each transition a second late, the
    // next starts as it ends, and the two read as one burst (the fixture store's KV under a crawl's
    // load: transitions pending 1-1.3 s at a 1.5 s rhythm, every other move lost, its third move read
    // 3 s late, the page watched to the end of its longest watch). 800 ms: under the fastest rhythm a
    // slider keeps (a second) by more than this poll's 100 ms and a loaded tab's timer lateness (at
    // 1000 ms a 1 s slider's moves, seen at polls 0.9-1.1 s apart, could merge: its pattern page's test
    // once saw 2 moves in 4 s in a full test run); over the 600 ms that separate bursts, so a fade out
    // and the fade in started within 800 ms of it stay one move
    const seen = new WeakSet();
    // while the auditor itself scrolls, what changes is ours (pictures load, slides reflow around them), not
    // the carousel moving: a slider whose only move falls in those ~200 ms reads as never-moved, still
    // not rotating (suning's sliders reflow as the scroll loads their pictures)
    w.timer = setInterval(() => { const s = state(), running = sliding();
      const fresh = running.filter((a) => !seen.has(a)); fresh.forEach((a) => seen.add(a));
      if (s === w.last && !running.length) return;
      if (window.__auditorQuiet) { w.last = s; return; }
      const t = performance.now(), n = w.moves.length;
      if (t - w.lastChange > 600 || (fresh.length && n && t - w.moves[n - 1] >= 800)) w.moves.push(t);
      w.lastChange = t; w.last = s; }, 100);
    // a CSS animation (keyframes) on the slides may hold a slide for seconds before it moves it
    w.animated = () => parts().some((e) => e.getAnimations().some((a) => !(a instanceof CSSTransition) && a.playState === "running"));
    return w;
  };

  // ---- late phase: carousels a script built after the mark (from JSON it fetched) are watched too ----
  if (args.phase === "late") {
    const have = new Set((window.__auditorCarousels || []).map((w) => w.el));
    const fresh = regions.filter((r) => (r.kind === "kv" || r.kind === "carousel") && !have.has(r.el)).map(startWatch);
    window.__auditorCarousels = [...(window.__auditorCarousels || []), ...fresh];
    return { late: fresh.length };
  }

  // ---- mark phase: remember what exists before hovering, start watching carousels ----
  if (args.phase === "mark") {
    document.querySelectorAll("a, area, [onclick]").forEach((a) => a.setAttribute("data-auditor-seen", "1"));
    // countdowns ("距结束 01:02:03"): the smallest element holding the label and the time, read now
    // and again in the read phase, seconds later (a live one has moved; one stuck at zero has not)
    // (距离下场 / 距下一场: the next flash-sale session, suning-xiaohuihui's 限时抢购)
    const LABEL = /距结束|距离结束|距活动结束|距离?本场结束|距离?下一?场|剩余|仅剩|倒计时|ends in|time left/i;
    // (a part below zero, "0-11:0-5:0-3", is a script counting to a moment long past)
    // (a part "0NaN" is a script counting to a date the browser cannot read: jd-1ssjh1's 京东秒杀)
    const PART = "(?:(?:0?-)?\\d{1,2}|0?NaN)";
    const COUNTDOWN = new RegExp("(" + LABEL.source + ")[^\\d]{0,6}(\\d+\\s*天\\s*)?" + PART + "\\s*[:：时]\\s*" + PART + "\\s*[:：分]\\s*" + PART, "i");
    // or, with no label, the time told in its units, hours to seconds ("00 days 00 Hour 00 Mint 00 Sec":
    // shopify-pullman's deal cards, jQuery countdown counting to a data-countdown date long past)
    const UNIT = /^\s*(days?|hours?|hrs?|min[a-z]*|sec[a-z]*|天|小时|时|分钟?|秒)\s*$/i;
    const UNITS = /(\d+\s*(days?|天)\s*)?\d{1,2}\s*(hours?|hrs?|小时|时)\s*\d{1,2}\s*(min[a-z]*|分钟?)\s*\d{1,2}\s*(sec[a-z]*|秒)/i;
    const holders = [];  // from each label's text node up to the nearest block that also holds the time
    const climb = (n, form) => {
      for (let e = n.parentElement, k = 0; e && e !== document.body && k < 4; e = e.parentElement, k++) {
        const t = txt(e); if (t.length > 160) break;
        if (form.test(t)) { if (shown(e) && !holders.includes(e)) holders.push(e); break; }
      }
    };
    const bodyText = document.body.textContent || "";
    if (LABEL.test(bodyText) || UNITS.test(bodyText.replace(/\s+/g, " "))) {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n, labels = 0;
      while ((n = walker.nextNode()) && holders.length < 20 && labels < 200) {
        if (LABEL.test(n.nodeValue)) { labels++; climb(n, COUNTDOWN); }
        else if (UNIT.test(n.nodeValue)) { labels++; climb(n, UNITS); }
      }
    }
    window.__auditorCountdowns = holders.map((el) => ({ el, first: txt(el).slice(0, 120), at: performance.now() }));
    const watchMs = args.watchMs || 6000;
    // (the menus' own tab only hovers its menus: nothing is watched there)
    window.__auditorCarousels = args.watch === false ? [] : regions.filter((r) => r.kind === "kv" || r.kind === "carousel").map(startWatch);
    // slides a script adds later (fetched as JSON after load): when pictures are added to the page,
    // look again (debounced, at most 3 times) and watch the carousels that were not there before
    if (args.watch !== false && window.__auditorExtract && window.MutationObserver && !window.__auditorLate) {
      let scans = 0;
      window.__auditorLate = new MutationObserver((muts) => {
        if (scans >= 3 || !muts.some((m) => [...m.addedNodes].some((n) => n.nodeType === 1
            && (n.tagName === "IMG" || (n.querySelector && n.querySelector("img")))))) return;
        clearTimeout(window.__auditorLateTimer);
        window.__auditorLateTimer = setTimeout(() => {
          if (!window.__auditorLate) return;  // the read has begun: nothing more is watched
          scans++; try { window.__auditorExtract({ ...args, phase: "late" }); } catch (e) { /* the page's own business */ } }, 300);
      });
      window.__auditorLate.observe(document.body, { childList: true, subtree: true });
    }
    // watched long enough: three moves seen (three of its own intervals), or the watch is over and what
    // was seen is conclusive: two moves and then the third overdue; one lone move keeps it watched up to
    // twice as long. Nothing at all is conclusive once every timer that could still move it has had its
    // turn: two of the page's own timer periods (RHYTHM_JS; a slider's first tick may show the slide
    // already shown: xiaomi-reinhardt's KV, setInterval(fadeIn_pic, 4000) from slide 0, first moves 8 s
    // after load), one and a half of the rhythm it declares, and every 1-10 s timeout set before the
    // watch began come due (a slider started once by a timeout); a CSS animation on its slides keeps
    // it watched half a watch longer. A slow one (5 s) that moved twice is watched for its third up to
    // twice the watch.
    const stillNothing = (w, now, el) => el >= Math.max(watchMs, 1.5 * (w.declared || 0), 2 * (window.__auditorRhythm || 0) + 500)
      && now >= (window.__auditorDueBy ? window.__auditorDueBy(w.started) : 0) + 500 && (el >= 1.5 * watchMs || !w.animated());
    window.__auditorCarouselsDone = () => (window.__auditorCarousels || []).every((w) => {
      const n = w.moves.length, now = performance.now(), el = now - w.started;
      return n >= 3 || el >= 2 * watchMs || (el >= watchMs && twoThenQuiet(w, now)) || (n === 0 && stillNothing(w, now, el)); });
    const unsafe = /logout|log out|sign out|退出|购物车|加入|立即购买|buy|cart|checkout|结算|删除|delete|subscribe|订阅/i;
    const clickable = navEl ? [...navEl.querySelectorAll("button, summary, [aria-expanded], [aria-haspopup], a[href^='javascript'], a[href='#']")].slice(0, 400)
      .filter((e) => shown(e) && !unsafe.test(txt(e)) && !(e.closest("form") && !(e.tagName === "BUTTON" && e.type === "button"))
              && !(e.tagName === "BUTTON" && e.type === "submit")) : [];
    // the menu's entries a pointer visits: its first forty shown
    const navEntries = navEl ? [...navEl.querySelectorAll("li, a")].slice(0, 400).filter((e) => shown(e)).slice(0, 40) : [];
    // a category menu beside the KV (类目导航): a column of 5+ short entries near the top, each of
    // which, hovered, shows a panel of links hidden now: a fly-out inside the entry (xiaomi-lpmaster
    // .slider-li .slider-pop) or one of the panels beside the list (taobao-niantianlei .side-li, whose
    // .hiden-box panels a script shows). Its entries are hovered with the nav's.
    const side = (() => {
      const panels = [...document.querySelectorAll("div, ul, dl, section")].slice(0, 20000)
        .filter((p) => p.querySelector("a[href]") && !p.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
          && p.parentElement && p.parentElement.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })  // the panel, not what is in it
          && p.querySelectorAll("a[href]").length >= 3).slice(0, 300);
      if (panels.length < 2) return null;
      let best = null;
      const navFirst = new Set(navEntries);
      for (const list of document.querySelectorAll("ul, ol, div")) {
        // (it may sit inside the nav: xiaomi-lpmaster's .slider-nav is the 全部商品分类 entry's panel,
        // shown on the home page, its entries past the nav's first forty)
        if (navEl && list.contains(navEl)) continue;
        const kids = [...list.children].filter(shown);
        if (kids.length < 5 || kids.length > 40 || kids.every((k) => navFirst.has(k))) continue;  // hovered as the nav's anyway
        const rs = kids.map((k) => k.getBoundingClientRect()), r0 = rs[0];
        if (r0.top + scrollY > innerHeight * 1.5) continue;
        if (!rs.every((r, i) => Math.abs(r.left - r0.left) < 4 && r.width > 0 && r.width <= 400 && r.height <= 90
            && (i === 0 || r.top >= rs[i - 1].top + 4))) continue;  // a column, not a row
        if (!kids.every((k) => txt(k).length <= 60 && k.querySelector("a, span, i, em, p, h3, h4"))) continue;
        // (beside it: in its wrapper, not anywhere in the page: a fixed toolbar whose wrapper is <body>
        // claimed every hidden panel of jd-holyandamy's page over its real category menu)
        let near = list.parentElement && (list.parentElement.parentElement || list.parentElement);
        if (near === document.body || near === document.documentElement) near = list.parentElement;
        if (near === document.body || near === document.documentElement) near = null;
        const own = panels.filter((p) => kids.some((k) => k.contains(p))).length;
        const beside = near ? panels.filter((p) => near.contains(p) && !list.contains(p)).length : 0;
        const score = Math.max(own, beside);  // the list with the most panels to show
        if (score >= 2 && (!best || score > best.score || (score === best.score && kids.length > best.kids.length))) best = { list, kids, score };
      }
      return best;
    })();
    // drop-downs outside the main menu: an entry of the first screen's bars (我的京东, 网站导航, 手机京东 in
    // a marketplace's top bar) holding a hidden block of links that a hover shows (jd-wangshengcai: the
    // blocks written by its dropdown script, their links href="undefined")
    const dropAt = []; let nd = 0;
    for (const e of document.querySelectorAll("li, div, dd, span")) {
      if (++nd > 20000) break;
      if ((navEl && navEl.contains(e)) || (side && side.list.contains(e))) continue;
      const r = e.getBoundingClientRect();
      if (!r.width || r.width > 400 || r.height > 60 || r.top + scrollY > innerHeight * 0.6 || !shown(e)) continue;
      if ([...e.children].some((c) => !c.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
        && c.querySelectorAll("a[href]").length >= 2)) dropAt.push(e);
    }
    const drops = dropAt.filter((e) => !dropAt.some((o) => o !== e && e.contains(o))).slice(0, 12);
    // the same menu markup on another page of the store (one header template) reveals the same entries
    // (a drop-down by where it sits and what it says, not by what it holds: a cart's or a city's list
    // may differ from one load to the next)
    let navSig = 0;
    const navHtml = (navEl || side || drops.length) ? new URL(".", document.baseURI).href + (navEl ? navEl.outerHTML : "")
      + (side ? side.list.outerHTML : "") + drops.map((e) => path(e) + ":" + txt(e).slice(0, 40)).join("|") : "";
    for (let k = 0; k < navHtml.length; k++) navSig = (navSig * 31 + navHtml.charCodeAt(k)) | 0;
    // what shows now, so that what a hover shows later (a fly-out written in the page) is told apart
    // (checkVisibility: one call per link, not a walk up its ancestors; past the link budget a link is
    // left out anyway, and never taken for one a hover showed)
    const cap = args.maxLinks || 5000;
    // a slider's hidden slides show on its own turns, not by a hover: they are the slider's (taobao-fdliu's
    // KV slide "全球狂欢节 2016" was taken for a picture the menu showed)
    // (a shown slider with a slider's signs, dots, arrows or a library: tmall-sunshujiao's category menu,
    // entries named one by one, is a candidate without any, and its fly-outs are the hover's)
    // (its slides, not the box around them: a KV's box may hold the category menu and its fly-outs too)
    const slides = carouselEls.filter((c) => shown(c) && ((carouselSets.get(c) || {}).signals || []).length)
      .flatMap((c) => (carouselSets.get(c) || {}).slides || [c]);
    const inSlider = (e) => slides.some((c) => c.contains(e));
    // and hidden CSS backgrounds drawn at a size of their own, to be measured if a hover shows them
    let nb = 0;
    for (const el of document.querySelectorAll(BG_BOXES)) {
      if (++nb > 20000) break;
      if (!bgUrl(el) || bgDrawn(el, getComputedStyle(el)).fit !== "fill" || inSlider(el)) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) el.setAttribute("data-auditor-hidden-bg", "1");
    }
    // and hidden pictures that are no link's (a linked one comes back with its link): a fly-out's poster
    // (jd-holyandamy's category menu: <div class="inner1"><img src="img/show-img1.png"></div>, shown on hover)
    let ni = 0;
    for (const im of document.querySelectorAll("img")) {
      if (++ni > 5000) break;
      if (!im.closest("a[href]") && !inSlider(im) && !im.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) im.setAttribute("data-auditor-hidden-img", "1");
    }
    const anchors = document.querySelectorAll("a[href], area[href]");
    anchors.forEach((a, i) => {
      if (i >= cap || a.localName === "area" || inSlider(a) || a.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) a.setAttribute("data-auditor-shown", "1"); });
    // (`links`: how many there are, so that a page whose read runs out of time still says what it left out)
    return { countdowns: holders.length, links: anchors.length, nav: navEl ? path(navEl) : null, navSig: navHtml ? navHtml.length + ":" + navSig : null,
             navItems: [...new Set([...navEntries.map(path), ...(side ? side.kids.slice(0, 20).map(path) : []), ...drops.map(path)])],
             clickItems: clickable.slice(0, 20).map(path) };
  }

  // a slide hidden at this moment (display:none until its turn) measured as it will show: given, for one
  // synchronous layout, the display of a shown sibling, then put back as it was (nothing is painted)
  const asShown = (slide, slides, read) => {
    if (getComputedStyle(slide).display !== "none") return read();
    const shownOne = slides.find((k) => k !== slide && getComputedStyle(k).display !== "none");
    if (!shownOne) return read();
    const before = slide.getAttribute("style");
    slide.style.setProperty("display", getComputedStyle(shownOne).display, "important");
    try { const out = read(); out.visible = false; return out; }
    finally { if (before === null) slide.removeAttribute("style"); else slide.setAttribute("style", before); }
  };
  // boxes no more than `gap` px apart (a gallery's thumbnails sit right beside or below its pictures)
  const near = (a, b, gap) => { const x = a.getBoundingClientRect(), y = b.getBoundingClientRect();
    return Math.max(0, x.left - y.right, y.left - x.right) <= gap && Math.max(0, x.top - y.bottom, y.top - x.bottom) <= gap; };
  const thumbStrip = (root, set, el) => !!root && root !== document.body && [...root.querySelectorAll("ul, ol, div")].some((g) => {
    if (!near(g, el, 120)) return false;  // a row of small pictures elsewhere in the section guides nothing
    const kids = [...g.children];
    const slides = (set.slides || []).filter((x) => !/swiper-slide-duplicate|slick-cloned|clone/.test(x.className)).length;
    // one thumbnail per slide (a strip of other products' pictures beside a slider is not its guide)
    return kids.length >= 2 && Math.abs(kids.length - slides) <= 1
      && !(set.track && (set.track.contains(g) || g.contains(set.track))) && kids.every((k) => {
      const r = k.getBoundingClientRect();
      return (k.matches("img") || k.querySelector("img")) && r.width > 0 && r.width <= 160 && r.height <= 160; });
  });

  // ---- read phase ----
  const watch = (el) => (window.__auditorCarousels || []).find((w) => w.el === el);
  const countdowns = (window.__auditorCountdowns || []).map((c) => ({ c, taken: false }));
  const countdownsIn = (el) => countdowns.filter((x) => !x.taken && (el === document.body || el.contains(x.c.el))).map((x) => {
    x.taken = true;
    return { first: x.c.first, second: x.c.el.isConnected ? txt(x.c.el).slice(0, 120) : "",
             elapsed_ms: Math.round(performance.now() - x.c.at), selector: path(x.c.el), box: rect(x.c.el) }; });
  // the card's text without what is struck through (<del>, <s>, <strike>, text-decoration: line-through)
  const unstruck = (c) => {
    const struck = (e) => { for (; e && e !== c.parentElement; e = e.parentElement) {
      if (/^(DEL|S|STRIKE)$/.test(e.tagName) || getComputedStyle(e).textDecorationLine.includes("line-through")) return true; }
      return false; };
    const parts = []; const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (n.nodeValue.trim() && !struck(n.parentElement)) parts.push(n.nodeValue);
    return parts.join(" ").replace(/\s+/g, " ").trim();
  };
  // a card's price as written, a range whole (¥99-199, 99-199元); words that are only a price name nothing
  const PRICE_RE = /[¥￥$]\s*\d[\d,]*(\.\d+)?(\s*[-~～–至]\s*[¥￥$]?\s*\d[\d,]*(\.\d+)?)?|\d[\d,]*(\.\d+)?(\s*[-~～–至]\s*\d[\d,]*(\.\d+)?)?\s*元/;
  const priceLike = (s) => /^[¥￥$]?\s*[\d.,]+\s*元?$/.test(s);
  const revealedPics = new Set();  // a drop-down's pictures are the nav's, not the page's as well
  // what the menus' hover showed, added to the region that owns the menus (the nav; the page when a top
  // bar's drop-downs are its only menus): the links, and the pictures as they showed while open
  // (xiaomi-lpmaster's menu: a 197x136 picture at 40x40; taobao-niantianlei's fly-outs), a picture the
  // region holds hidden taken as it showed (xiaomi-lpmaster's fly-outs sit in its header), and the
  // icons they showed (taobao-niantianlei's fly-out headings at background-size 25px 25px).
  // `take("links" | "images")`: whether the region's budget has room for one more
  const addRevealed = (o, take) => {
    const lk = (l) => l.url + "|" + l.text + "|" + (l.image ? l.image.url : "");
    const have = new Set(o.links.map(lk));
    for (const l of window.__auditorRevealed || []) if (!have.has(lk(l)) && take("links")) { have.add(lk(l)); o.links.push(l); }
    const pics = new Map(o.images.map((im, k) => [im.url, k]));
    const showed = [...(window.__auditorRevealed || []).map((l) => l.image).filter((im) => im && im.visible), ...(window.__auditorRevealedPics || [])];
    for (const im of showed) {
      if (!im.url) continue;
      const k = pics.get(im.url);
      if (k !== undefined && !o.images[k].visible) { o.images[k] = im; revealedPics.add(im.url); }
      else if (k === undefined && take("images")) { pics.set(im.url, o.images.length); revealedPics.add(im.url); o.images.push(im); }
    }
  };
  const out = regions.map((r) => {
    const o = { kind: r.kind, selector: r.selector, label: "", links: [], images: [], texts: [], slots: [], slides: [],
                visible: shown(r.el), box: rect(r.el) };
    o.countdowns = countdownsIn(r.el);
    if (r.kind === "kv" || r.kind === "carousel") {
      const set = carouselSets.get(r.el) || { slides: [...r.el.children], signals: [], dots: 0 };
      o.signals = set.signals || []; o.dots = set.dots || 0;
      o.autoplay_off = [r.el, set.track, r.el.parentElement].some((e) => e && e.nodeType === 1 && (
        /^(false|0)$/i.test(e.getAttribute("data-autoplay") || e.getAttribute("data-interval") || e.getAttribute("data-bs-interval") || "")
        || /"?autoplay"?\s*:\s*false/i.test(e.getAttribute("data-slick") || e.getAttribute("data-flickity") || e.getAttribute("data-swiper") || e.getAttribute("data-options") || "")
        || (e.classList.contains("carousel") && e.classList.contains("slide") && !e.hasAttribute("data-ride") && !e.hasAttribute("data-bs-ride"))))
        || [r.el, set.track, r.el.parentElement, r.el.parentElement && r.el.parentElement.parentElement]
          .some((e) => e && e.nodeType === 1 && libraryPlays(e) === false)
        // a gallery led by thumbnails of its pictures (a product's detail gallery) is browsed by hand; off
        // the home page even as the page's first large slider (fashe-yashbhojgarhia product-detail.html)
        || ((r.kind !== "kv" || args.pageKind !== "home") && [r.el, r.el.parentElement].some((root) => thumbStrip(root, set, r.el)));
      const seen = new Set(); let i = 0; o.slide_boxes = 0;
      for (const s of set.slides) {
        if (/swiper-slide-duplicate|slick-cloned|clone/.test(s.className)) continue;
        o.slide_boxes++;
        const a = s.matches("a[href]") ? s : s.querySelector("a[href]"); const im = s.matches("img") ? s : s.querySelector("img");
        const img = im ? asShown(s, set.slides, () => image(im)) : bgImage(s);
        const key = (a ? abs(a.getAttribute("href")) : "") + "|" + (img ? img.url : "");
        if (seen.has(key)) continue; seen.add(key);
        // (a hidden slide's words read as laid out, one block from the next: not its bare textContent)
        const words = asShown(s, set.slides, () => ({ text: txt(s) })).text;
        o.slides.push({ index: i++, link: a ? linkOf(a).url : null, image: img, alt: img ? img.alt : "", text: words });
      }
      const w = watch(r.el);
      if (w) {  // rotating: it moved, and its last move is recent for its own rhythm
        const now = performance.now(), n = w.moves.length;
        const gaps = w.moves.slice(1).map((t, k) => t - w.moves[k]).sort((a, b) => a - b);
        // its rhythm is the longest pause seen between moves: a transition read in two bursts (the page's
        // timers slowed while other tabs load) is no rhythm of its own (shopify-pullman's testimonial
        // slick, autoplay every 3 s + 1 s of sliding, read as moves 0.7 s apart and then "stopped")
        const interval = n >= 2 ? gaps[gaps.length - 1] : Math.max(n ? w.moves[0] - w.started : 0, 1000);
        // still changing when the watch ends (a ticker that creeps without pause is one long move) is moving
        o.rotates = n > 0 && now - Math.max(w.moves[n - 1], w.lastChange) < Math.max(2.5 * interval, 1500);
        // moved once in a whole watch: was the next move due? (a shorter watch keeps the rule above)
        if (n === 1 && !w.earlier && now - w.started >= 2 * (args.watchMs || 6000) - 200) o.rotates = !loneOverdue(w, now);
        // moved twice: stopped when its third move is overdue, whatever the gap between the two
        if (n === 2 && !w.earlier) o.rotates = !twoThenQuiet(w, now);
        o.moves = n + (w.earlier || 0); o.interval_ms = n >= 2 ? Math.round(interval) : null; o.observed_ms = Math.round(now - w.started);
        // found late and watched only a moment: no verdict (not watched, rather than never moved)
        if (!n && !w.earlier && now - w.started < (args.watchMs || 6000) / 2) { o.rotates = null; o.observed_ms = null; }
        // nothing seen, but watched for less than one and a half of the rhythm it declares: no verdict
        if (!n && !w.earlier && w.declared && now - w.started < 1.5 * w.declared) o.rotates = null;
        // nor before two of the page's own timer periods (RHYTHM_JS): its first tick may change nothing;
        // watched the longest a page is watched (twice the watch), it is judged whatever the page's timers
        if (!n && !w.earlier && now - w.started < Math.min(2 * (window.__auditorRhythm || 0), 2 * (args.watchMs || 6000) - 200)) o.rotates = null;
        // A slider beside the KV that never moved and says nothing of playing is browsed by hand: in the
        // real-storefront corpus every one was (shopify-samceramics' Owl best sellers, fashe's slick
        // product strips, xiaomi-ljjmi's 猜你喜欢 pager, jd-zhangcui's arrow strip, karma's Owl grid);
        // the KV is meant to rotate, and one beside it that moved, or declares a rhythm, is judged
        // (so is a product page's first slider, its photo gallery: magento-plattar's, dots and arrows)
        if ((r.kind !== "kv" || args.pageKind === "product") && !n && !w.earlier && !w.told) o.autoplay_off = true;
      }
      // every link and picture in the carousel is probed, not only the slides' (controls, captions, thumbs)
      const slideLinks = o.slides.filter((s) => s.link).map((s) => ({ url: s.link, text: s.alt, kind: "a", selector: r.selector, image: s.image }));
      const known = new Set(slideLinks.map((l) => l.url));
      o.links = [...slideLinks, ...linksIn(r.el).filter((l) => !known.has(l.url))];
      const slideImgs = o.slides.map((s) => s.image).filter(Boolean);
      const knownImg = new Set(slideImgs.map((i) => i.url));
      o.images = [...slideImgs, ...imagesIn(r.el).filter((i) => i.url && !knownImg.has(i.url))];
      return o;
    }
    if (r.kind === "showcase" || r.kind === "category") {
      // (a card a script has taken off the grid, display:none, is not on show: boutique-frozenwrists' "In
      // stock" filter, on by default, hides its sold-out card, which stays first in the markup)
      const cells = cellsOf(r.el), onShow = cells.filter((c) => getComputedStyle(c).display !== "none");
      (onShow.length ? onShow : cells).forEach((c, i) => {
        // the card's picture is one it shows: not a hidden stand-in before it (jd-lijingshan's channel cards
        // open with a QR-code popup's <img class="mod_loading">, no src, display:none)
        const a = c.matches("a[href]") ? c : c.querySelector("a[href]");
        const im = c.matches("img") ? c : [...c.querySelectorAll("img")].find(shown) || c.querySelector("img");
        // the card's price as written, a range whole (¥99-199, 99-199元); a struck price beside it is
        // the regular one, not what the card sells at (shopify-pullman: <del>$75.00</del> $55.00)
        const t = txt(c);
        const pm = PRICE_RE.exec(unstruck(c)) || PRICE_RE.exec(t);
        // a heading names the card before a link's words, and those before a tooltip: an icon's title
        // ("Wishlist", "Quick View" on shopify-pullman's heart and eye) names no product
        const nameIn = (sel, tip) => [...c.querySelectorAll(sel)].map((e) => txt(e) || (tip && e.getAttribute("title")) || "")
          .find((s) => s && !priceLike(s) && s.length >= 2);
        const named = nameIn("h1,h2,h3,h4,h5,h6,[itemprop=name]", true) || nameIn("a[href]", false) || nameIn("[title]", true);
        const leaf = [...c.querySelectorAll("*")].filter((e) => !e.children.length).map(txt)
          .find((s) => s && !priceLike(s) && s.length >= 2);
        const title = named || leaf || "";
        o.slots.push({ index: i, link: a ? linkOf(a).url : null, image: im ? image(im) : null, title, price_text: pm ? pm[0] : "",
                       text: t, selector: path(c), box: rect(c) });
      });
    }
    if (r.kind === "announcement") {
      const lines = [...r.el.querySelectorAll("p, li, a, marquee, span, div")].filter((e) => !e.querySelector("p, li, div") && txt(e));
      const seenText = new Set();
      for (const e of lines.length ? lines : [r.el]) {
        const t = txt(e); if (seenText.has(t) || /^(店铺公告|公告|通知)$/.test(t)) continue; seenText.add(t);
        const a = e.closest("a[href]") || e.querySelector("a[href]");
        o.texts.push({ text: t, link: a ? linkOf(a).url : null, selector: path(e) });
      }
    } else if (r.kind === "product.price") {
      // the buy box line by line: each of its promotions on its own (an ended 双11 beside a 双12 to come)
      const lines = [...r.el.querySelectorAll(LINE_BLOCKS)].filter((e) => !e.querySelector(LINE_BLOCKS) && txt(e));
      const seenText = new Set();
      for (const e of lines.length ? lines : [r.el]) {
        const t = txt(e); if (seenText.has(t)) continue; seenText.add(t);
        o.texts.push({ text: t.slice(0, 500), link: null, selector: path(e) });
      }
    } else if (r.kind !== "showcase" && r.kind !== "category") {
      const t = txt(r.el); if (t) o.texts.push({ text: t.slice(0, 2000), link: null, selector: r.selector });
    }
    o.links = linksIn(r.el, true);
    o.images = r.el.tagName === "IMG" ? [image(r.el)] : imagesIn(r.el);
    if ((r.el.tagName === "A" || r.kind === "banner" || r.kind === "product.promo") && !o.images.length) {
      const b = bgImage(r.el); if (b) o.images.push(b); }
    if (r.el.tagName === "A") o.links = [linkOf(r.el)];
    if (r.el.tagName === "IMG" && r.el.useMap) {
      const map = document.querySelector("map[name='" + CSS.escape(r.el.useMap.replace(/^#/, "")) + "']");
      if (map) o.links = linksIn(map);
    }
    if (r.kind === "nav") {
      o.links.forEach((l) => { l.kind = l.revealed_by ? "menu" : l.kind; });
      addRevealed(o, (what) => what === "links" || o.images.length < 400);
    }
    return o;
  });

  // image maps whose <map> sits outside the banner element
  // everything else: the "page" region
  const rest = { kind: "page", selector: "body", label: "", links: [], images: [], texts: [], slots: [], slides: [], visible: true, box: null };
  for (const a of document.querySelectorAll("a[href], area[href], [onclick]")) {
    if (inTaken(a)) continue;
    // an element whose onclick sends the visitor on (location.href='...', window.open) is a link too
    const anchor = (a.tagName === "A" || a.tagName === "AREA") && a.hasAttribute("href");
    if (!anchor && !V.onclickNavigation.test(a.getAttribute("onclick") || "")) continue;
    if (a.tagName === "AREA") { const m = a.closest("map"); const im = m && document.querySelector("img[usemap='#" + m.name + "']"); if (im && inTaken(im)) continue; }
    // outside the regions, what a visitor can see or reveal: not a copy hidden for another screen size
    else if (budget.links > 0 && !shown(a) && !a.getAttribute("data-auditor-revealed") && !revealable(a)) continue;
    if (!spend("links")) continue;
    const l = linkOf(a); if (l) rest.links.push(l);
  }
  for (const im of document.querySelectorAll("img")) {
    if (inTaken(im) || revealedPics.has(im.currentSrc || im.src) || !spend("images")) continue;
    rest.images.push(image(im)); }
  // outside the regions, CSS backgrounds drawn at a size of their own (mogujie's 30x30 avatar)
  let nb = 0;
  for (const el of document.body.querySelectorAll(BG_BOXES)) {
    if (++nb > 20000) break;
    if (inTaken(el) || !bgUrl(el)) continue;
    const b = bgImage(el); if (b.object_fit === "fill" && b.visible && spend("images")) rest.images.push(b); }
  // drop-downs hovered on a page with no main menu (a top bar's only): what they showed is the page's
  if (!out.some((o) => o.kind === "nav")) addRevealed(rest, spend);
  rest.countdowns = countdownsIn(document.body);
  out.push(rest);
  (window.__auditorCarousels || []).forEach((w) => clearInterval(w.timer));
  if (window.__auditorLate) { window.__auditorLate.disconnect(); window.__auditorLate = null; }
  clearTimeout(window.__auditorLateTimer);
  const over = {}; for (const k of Object.keys(leftOut)) if (leftOut[k]) over[k] = leftOut[k];
  // price candidates on a page that may be a product page: every short text that reads like a price,
  // with how it looks and where it sits; auditor/crawl/price_finder.py scores them
  const priceCandidates = []; let heading = "";
  if (args.pageKind === "product") {
    const PRICE_ATTR = /price|prc|jiage|rmb|amount|money|cost|sale|promo/i;
    const MONEY = /[¥￥$€£]|元|RMB|CNY|USD/i;
    // the product title: the page's h1, else the first prominent heading or title-named block near the top
    const h1 = [...document.querySelectorAll("h1")].find(shown) || [...document.querySelectorAll("h2, h3, [itemprop=name], [class*=title], [class*=name]")]
      .find((e) => shown(e) && e.getBoundingClientRect().top + scrollY < 700 && txt(e).length >= 2 && txt(e).length <= 80);
    const hr = h1 ? h1.getBoundingClientRect() : null; heading = h1 ? txt(h1).slice(0, 200) : "";
    const attrs = (e) => { let out = ""; for (let k = 0, x = e; k < 3 && x && x !== document.body; k++, x = x.parentElement) {
      out += " " + classy(x) + " " + (x.getAttribute("itemprop") || "") + " " + [...x.attributes].filter((a) => a.name.startsWith("data-")).map((a) => a.name).join(" "); }
      return out; };
    const ctxText = (e) => { let x = e; for (let k = 0; k < 2 && x.parentElement && txt(x.parentElement).length < 80; k++) x = x.parentElement; return txt(x); };
    const struck = (e) => { for (let x = e; x && x !== document.body; x = x.parentElement) {
      if (/^(DEL|S|STRIKE)$/.test(x.tagName) || /line-through/.test(getComputedStyle(x).textDecorationLine)) return true; } return false; };
    // other products' prices: a block named or headed as recommendations, or a card linking elsewhere
    const RELATED = /recommend|related|similar|guess|also|upsell|cross-?sell|(^|[\s_-])rec([\s_-]|$)/i;
    const HEADED = /推荐|猜你喜欢|看了又看|相关|同类|为你|大家都在|还买了|also|related|recommend|you may|similar|other products/i;
    const related = (e) => {
      // a mega-menu's product cards and a sidebar are other products' prices too
      if (e.closest("[data-auditor-region='product.related'], aside, nav, header, [role=navigation], [class*=menu], [id*=menu]")) return true;
      for (let x = e, k = 0; x && x !== document.body && k < 6; x = x.parentElement, k++) {
        if (RELATED.test(classy(x))) return true;
        const head = x.firstElementChild; if (k >= 1 && head && /^(H[1-6]|STRONG|B|DT|P|DIV|SPAN)$/.test(head.tagName) && HEADED.test(txt(head).slice(0, 40))) return true;
      }
      for (let x = e.parentElement, k = 0; x && x !== document.body && k < 2; x = x.parentElement, k++)
        if ([...x.querySelectorAll("a[href]")].some((a) => !/^(#|javascript:)/i.test(a.getAttribute("href") || "") && txt(a).length >= 2)) return true;
      return false;
    };
    const digitsOwn = (e) => [...e.childNodes].some((n) => n.nodeType === 3 && /\d/.test(n.nodeValue));
    const nodes = [...document.querySelectorAll("body *")].filter((e) => !/^(SCRIPT|STYLE|NOSCRIPT|OPTION|SELECT|TEMPLATE)$/.test(e.tagName));
    // (a parent's words read once: the 60,000 links of one box would read that box 60,000 times)
    const short = new Map(), shortTxt = (e) => { if (!short.has(e)) { const t = txt(e); short.set(e, t.length <= 40 ? t : ""); } return short.get(e); };
    let looked = 0;
    for (const e of nodes) {
      if (priceCandidates.length >= 80 || ++looked > 20000) break;
      if (!digitsOwn(e)) continue;  // the element that holds the digits (its currency mark may be a sibling)
      const t = txt(e); if (!t || t.length > 40) continue;
      const up = e.parentElement ? shortTxt(e.parentElement) : "";
      const own = MONEY.test(t) || MONEY.test(up) || PRICE_ATTR.test(attrs(e));
      if (!own || !shown(e)) continue;
      const r = e.getBoundingClientRect(); const cs = getComputedStyle(e);
      if (r.width < 4 || r.height < 4 || e.closest(".screen-reader-text, .sr-only, .visually-hidden")) continue;  // for screen readers only
      priceCandidates.push({ text: MONEY.test(t) || !up ? t : up, context: ctxText(e).slice(0, 120), attrs: attrs(e).slice(0, 300),
        font_px: parseFloat(cs.fontSize) || 0, weight: parseInt(cs.fontWeight, 10) || 400, color: cs.color,
        struck: struck(e), related: related(e), top: r.top + scrollY, left: r.left + scrollX,
        title_dist: hr ? Math.hypot(r.left - hr.left, r.top - hr.bottom) : null, selector: path(e) });
    }
  }
  return { title: document.title, text: txt(document.body).slice(0, 20000), regions: out, priceCandidates, heading,
           url: HERE, height: document.body.scrollHeight, leftOut: over };
}
