"""The link probe against the real fixture server: every special route, and each URL fetched once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from auditor.config import CrawlSettings
from auditor.crawl.profiles import resolve_profile
from auditor.demo_store import FixtureStore
from auditor.models import LinkStatus
from auditor.net import HostLimiter, make_client
from auditor.probes.links import LinkProber
from tests.hostile_store import HostileStore

pytestmark = pytest.mark.network


async def probe(store: FixtureStore, *paths: str, **settings: object) -> dict[str, LinkStatus]:
    s = CrawlSettings(**settings)  # type: ignore[arg-type]
    urls = [store.url.rstrip("/") + p if p.startswith("/") else p for p in paths]
    async with make_client(s) as client:
        prober = LinkProber(client, s, resolve_profile("generic", {}, []), store.url, HostLimiter(s.per_host))
        got = await prober.check_all(urls)
    return {k.removeprefix(store.url.rstrip("/")): v for k, v in got.items()}


async def test_http_errors_are_dead(fixture_store: FixtureStore) -> None:
    got = await probe(fixture_store, "/status/404", "/status/410", "/status/500")
    assert {k: (v.state, v.reason) for k, v in got.items()} == {
        "/status/404": ("dead", "http-404"),
        "/status/410": ("dead", "http-410"),
        "/status/500": ("dead", "http-500"),
    }


async def test_head_405_falls_back_to_get(fixture_store: FixtureStore) -> None:
    got = (await probe(fixture_store, "/head-405"))["/head-405"]
    assert (got.state, got.method, got.chain) == ("ok", "GET", [200])


async def test_redirect_loop_is_reported_as_a_loop(fixture_store: FixtureStore) -> None:
    got = (await probe(fixture_store, "/loop/a"))["/loop/a"]
    assert got.state == "dead" and got.reason == "redirect-loop"
    assert [h.rsplit("/", 2)[-2:] for h in got.redirects] == [["loop", "b"], ["loop", "a"]]


async def test_a_meta_refresh_loop_is_a_refresh_loop_as_the_crawl_says() -> None:
    """The crawl that reads /refresh-a in the browser calls it a `refresh-loop`; when its read does not
    end as a loop (under load: one test_hostile run), the probe checks it, and must say the same."""
    settings = CrawlSettings()
    with HostileStore() as hostile:
        async with make_client(settings) as client:
            prober = LinkProber(client, settings, resolve_profile("generic", {}, []), hostile.url, HostLimiter(2))
            got = await prober.check_all([hostile.url + "refresh-a", hostile.url + "refresh-b"])
    a, b = got[hostile.url + "refresh-a"], got[hostile.url + "refresh-b"]
    assert (a.state, a.reason) == (b.state, b.reason) == ("dead", "refresh-loop")
    assert [h.rsplit("/", 1)[-1] for h in a.redirects] == ["refresh-b", "refresh-a"]


async def test_permanent_redirect_to_a_live_page_is_alive(fixture_store: FixtureStore) -> None:
    got = (await probe(fixture_store, "/old-page"))["/old-page"]
    assert got.state == "ok" and got.chain == [301, 200] and got.final_url.endswith("/about")


async def test_slow_page_inside_the_timeout_is_alive(fixture_store: FixtureStore) -> None:
    got = (await probe(fixture_store, "/slow"))["/slow"]
    assert got.state == "ok" and got.elapsed_ms >= 3000


async def test_timeout_is_retried_once_then_dead(fixture_store: FixtureStore) -> None:
    got = (await probe(fixture_store, "/slow", link_timeout_s=0.5))["/slow"]
    assert (got.state, got.reason, got.attempts) == ("dead", "timeout", 2)


async def test_429_honours_retry_after(fresh_store: FixtureStore) -> None:
    got = (await probe(fresh_store, "/rate-limited"))["/rate-limited"]
    assert got.state == "ok" and got.elapsed_ms >= 1000
    assert fresh_store.hits["GET /rate-limited"] == 2


async def test_soft_404_pages_are_dead_with_the_reason(fixture_store: FixtureStore) -> None:
    got = await probe(fixture_store, "/products/wool-scarf", "/products/aroma", "/products/vase")
    assert got["/products/wool-scarf"].state == "dead" and got["/products/wool-scarf"].reason.startswith("delisted")
    assert got["/products/aroma"].state == "dead" and got["/products/aroma"].reason.startswith("soft-404")
    assert got["/products/vase"].state == "ok"  # sold out is not dead


async def test_non_http_links_are_never_fetched(fresh_store: FixtureStore) -> None:
    got = await probe(fresh_store, "mailto:a@b.c", "tel:123", "javascript:void(0)", "#top", "data:image/png;base64,AA")
    assert all(v.state == "skipped" for v in got.values())
    assert fresh_store.hits == {}


async def test_unreachable_external_host_is_unknown_unless_configured(fixture_store: FixtureStore) -> None:
    url = "http://127.0.0.1:9/partner"
    assert (await probe(fixture_store, url))[url].state == "unknown"
    assert (await probe(fixture_store, url, external_unreachable="dead"))[url].state == "dead"
    assert (await probe(fixture_store, url, check_external=False))[url].state == "skipped"


async def test_a_host_that_does_not_answer_is_tried_by_the_requests_in_flight_only() -> None:
    """Thirty links to a port nobody listens on, two at a time: the two in flight fail and try once
    more; the twenty-eight waiting their turn are answered at once (each used to try twice, one after
    the other: 300 links to a dead demo host took 116 s)."""
    s = CrawlSettings(per_host=2)
    urls = [f"http://127.0.0.1:9/p{i}" for i in range(30)]
    async with make_client(s) as client:
        prober = LinkProber(client, s, resolve_profile("generic", {}, []), "http://shop.test/", HostLimiter(2))
        got = await prober.check_all(urls)
    assert {(v.state, v.reason) for v in got.values()} == {("unknown", "connection-error: ConnectError")}
    assert prober.requests <= 4, prober.requests  # (the two in flight, each twice)


async def test_each_distinct_url_is_fetched_once(fresh_store: FixtureStore) -> None:
    await probe(fresh_store, *(["/about", "/status/404", "/old-page"] * 5))
    assert fresh_store.hits == {"GET /about": 1, "GET /status/404": 1, "GET /old-page": 1}  # the shop's own: GET alone


async def test_connection_reset_is_retried_once() -> None:
    # A reset connection cannot be produced reliably by a real server; httpx's transport seam fakes it.
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset by peer")
        return httpx.Response(200, headers={"content-type": "image/png"})

    s = CrawlSettings()
    async with make_client(s, transport=httpx.MockTransport(handler)) as client:
        prober = LinkProber(client, s, resolve_profile("generic", {}, []), "http://shop.test/", HostLimiter(2))
        got = await prober.check("http://other.test/a.png")
    assert (got.state, got.attempts, calls) == ("ok", 2, ["HEAD", "HEAD"])


def test_retry_after_is_read_one_way_for_the_crawl_and_the_probe() -> None:
    from email.utils import format_datetime

    from auditor.net import retry_after

    assert retry_after("7", 30) == 7 and retry_after("120", 30) == 30  # capped
    assert retry_after(None, 30) is None and retry_after("", 30) is None and retry_after("soon", 30) is None
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= (retry_after(in_ten, 30) or 0) <= 10  # an HTTP date: the seconds until then
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 30) == 0  # a date already past: no wait
