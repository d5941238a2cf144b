"""Checks: required page elements (customer service, search, cart) present, visible, in place."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext, Hit, check


@check("layout")
def layout(ctx: CheckContext) -> Iterator[Hit]:
    """An element the store's config says must be on the page (`stores[].required`: name + selector,
    optionally the region it must sit in) that is missing, hidden, or outside its region. Only pages
    the crawler looked at for it (the home page) are judged."""
    for page in ctx.snapshot.pages:
        for req in page.required:
            if req.found and req.visible and req.in_region:
                continue
            reason = "missing" if not req.found else "hidden" if not req.visible else "out-of-region"
            yield Hit(
                page,
                None,
                None,
                {"name": req.name, "selector": req.selector, "reason": reason, "region": req.region},
                discriminator=req.selector,
                fmt={"name": req.name},
            )
