"""Probes are bounded like page reads: a host that drips bytes (each in time for the read timeout,
the whole answer never) is a timeout, and past the probes' own deadline nothing more is fetched —
the URLs left are `unknown`, said once in the run's errors, never findings."""

from __future__ import annotations

import asyncio

import pytest

from auditor.config import CrawlSettings
from auditor.crawl.profiles import resolve_profile
from auditor.net import PROBE_LATE, HostLimiter, make_client
from auditor.probes.images import ImageProber
from auditor.probes.links import LinkProber
from tests.hostile_store import HostileStore

pytestmark = pytest.mark.network
GENERIC = resolve_profile("generic", {}, [])


async def test_a_dripping_answer_is_a_timeout_for_links_and_images() -> None:
    settings = CrawlSettings(link_timeout_s=1)  # the whole answer within 2 s; /drip takes a minute
    with HostileStore() as hostile:
        drip = hostile.url + "drip"
        async with make_client(settings) as client:
            links = LinkProber(client, settings, GENERIC, hostile.url, HostLimiter(2))
            images = ImageProber(client, HostLimiter(2), site=hostile.url, whole_s=2)
            link, image = await asyncio.gather(links.check(drip), images.probe(drip))
    assert (link.state, link.reason) == ("dead", "timeout")  # the shop's own page never arrives
    assert link.attempts == 2  # GET (the shop's own page), once more as after any timeout
    assert image.ok is False and image.reason == "unreachable: whole answer not read in 2 s"
    assert image.unreachable is False  # the shop's own host: a broken image, as a host that never answers


async def test_past_the_probes_deadline_what_is_left_is_unknown() -> None:
    settings = CrawlSettings(link_timeout_s=10)
    with HostileStore() as hostile:
        drip, home = hostile.url + "drip", hostile.url
        async with make_client(settings) as client:
            until = asyncio.get_running_loop().time() + 1.5
            links = LinkProber(client, settings, GENERIC, hostile.url, HostLimiter(2), until=until)
            images = ImageProber(client, HostLimiter(2), site=hostile.url, until=until)
            # both under way when the deadline comes: it ends a download in the middle too
            got, image = await asyncio.gather(links.check_all([drip, home]), images.probe(drip))
    assert (got[drip].state, got[drip].reason) == ("unknown", PROBE_LATE)
    assert got[home].state == "ok"  # what was probed in time keeps its verdict
    assert image.ok is False and image.reason == PROBE_LATE and image.unreachable  # no finding on it


async def test_the_shops_own_file_is_judged_by_its_headers_not_downloaded() -> None:
    settings = CrawlSettings(link_timeout_s=1)  # reading /drip.pdf whole would take a minute
    with HostileStore() as hostile:
        async with make_client(settings) as client:
            links = LinkProber(client, settings, GENERIC, hostile.url, HostLimiter(2))
            got = await links.check(hostile.url + "drip.pdf")
    assert (got.state, got.attempts, got.method) == ("ok", 1, "GET")
