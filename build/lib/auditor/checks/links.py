"""Checks: links that do not open."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext, Hit, Params, check


class DeadLinkParams(Params):
    include_unknown: bool = False


@check("dead-link", DeadLinkParams, needs=("links",))
def dead_link(ctx: CheckContext) -> Iterator[Hit]:
    """A link that does not open: 4xx/5xx, connection error or timeout after a retry, a redirect
    loop, or a soft 404 (the page answers 200 but says 已下架 / 不存在 / 404; a delisted product's
    reason is `delisted`). Skips `javascript:`, `mailto:`, `tel:`, `#` and `data:` links (never fetched),
    pages behind a bot wall (`blocked`, reported as blocked, not dead) and unreachable external hosts
    (`unknown`) unless `include_unknown` is set."""
    for page, region in ctx.regions():
        for link in region.links:
            status = ctx.facts.links.get(link.url)
            if status is None:
                continue
            if status.state == "dead" or (ctx.params.include_unknown and status.state == "unknown"):
                yield Hit(
                    page,
                    region,
                    link.url,
                    {
                        "reason": status.reason,
                        "status_chain": status.chain,
                        "redirects": status.redirects,
                        "final_url": status.final_url,
                        "elapsed_ms": status.elapsed_ms,
                        "method": status.method,
                        "link_text": link.text,
                        "link_kind": link.kind,
                        "revealed_by": link.revealed_by,
                        "selector": link.selector,
                    },
                    fmt={"text": link.text or link.url},
                    box=link.box,
                )
