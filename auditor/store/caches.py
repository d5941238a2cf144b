"""What is kept between runs to save work or to compare: OCR results by image hash, observed prices."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from auditor.models import Page, PricePoint
from auditor.store.db import utc
from auditor.store.tables import OcrCache, PriceObservation, RivalSnapshot, TextFirstSeen

PROMISE_GAP = timedelta(hours=36)  # a relative promise not seen for this long starts afresh when it is back


class CacheStore:
    sessions: sessionmaker[Session]

    def record_prices(self, run_id: int, store: str, pages: list[Page], clock: datetime) -> None:
        with self.sessions.begin() as s:
            s.add_all(
                PriceObservation(
                    run_id=run_id,
                    store=store,
                    url=p.url,
                    title=p.product.name,
                    price=p.product.price if p.product.price_trusted else None,  # a guess is no history
                    regular_price=p.product.regular_price if p.product.price_trusted else None,
                    availability=p.product.state_shown,  # so the off-sale roll sees it went
                    observed_at=utc(clock),
                )
                for p in pages
                if p.product is not None and p.viewport == "desktop"
            )

    def ocr_get(self, shas: list[str], engine: str) -> dict[str, list[dict[str, Any]]]:
        with self.sessions() as s:
            rows = s.scalars(select(OcrCache).where(OcrCache.engine == engine, OcrCache.sha256.in_(shas)))
            return {r.sha256: r.lines for r in rows}

    def ocr_put(self, sha: str, engine: str, lines: list[dict[str, Any]]) -> None:
        with self.sessions.begin() as s:
            s.merge(OcrCache(sha256=sha, engine=engine, lines=lines, created_at=datetime.now(UTC)))

    def price_history(self, store: str) -> dict[str, list[PricePoint]]:
        with self.sessions() as s:
            rows = s.scalars(
                select(PriceObservation).where(PriceObservation.store == store).order_by(PriceObservation.observed_at)
            )
            out: dict[str, list[PricePoint]] = {}
            for r in rows:
                out.setdefault(r.url, []).append(PricePoint(at=utc(r.observed_at), price=r.price))
            return out

    def prices(self, url: str, store: str | None = None) -> list[PriceObservation]:
        with self.sessions() as s:
            q = select(PriceObservation).where(PriceObservation.url == url).order_by(PriceObservation.observed_at)
            if store is not None:
                q = q.where(PriceObservation.store == store)
            return list(s.scalars(q))

    def first_seen(self, store: str, phrases: set[str], clock: datetime) -> dict[str, datetime]:
        """When the store first showed each promise; one seen for the first time, or again after a
        gap of more than PROMISE_GAP (it went away and came back: a new sale), counts from `clock`
        (the audit clock, so a replayed audit with --now stays reproducible)."""
        if not phrases:
            return {}
        now = utc(clock)
        shas = {hashlib.sha1(p.encode()).hexdigest(): p for p in phrases}
        out: dict[str, datetime] = {}
        with self.sessions.begin() as s:
            rows = {
                r.phrase_sha: r
                for r in s.scalars(
                    select(TextFirstSeen).where(TextFirstSeen.store == store, TextFirstSeen.phrase_sha.in_(shas))
                )
            }
            for sha, phrase in shas.items():
                row = rows.get(sha)
                if row is None:
                    row = TextFirstSeen(store=store, phrase_sha=sha, phrase=phrase, first_seen=now, last_seen=now)
                    s.add(row)
                elif now - utc(row.last_seen) > PROMISE_GAP:
                    row.first_seen = now
                if now > utc(row.last_seen):
                    row.last_seen = now
                out[phrase] = utc(row.first_seen)
        return out

    def record_rival_price(self, run_id: int, store: str, url: str, price: float | None, clock: datetime) -> None:
        """A competitor's product price, kept under "<store>~<competitor>" so our own history stays ours."""
        with self.sessions.begin() as s:
            s.add(
                PriceObservation(
                    run_id=run_id,
                    store=store,
                    url=url,
                    title="",
                    price=price,
                    regular_price=None,
                    availability="on_sale" if price is not None else "unknown",
                    observed_at=utc(clock),
                )
            )

    def last_on_sale(self, store: str, before: datetime) -> dict[str, datetime]:
        """Our products seen on sale in runs before `before`: when each was last seen so."""
        with self.sessions() as s:
            rows = s.execute(
                select(PriceObservation.url, func.max(PriceObservation.observed_at))
                .where(
                    PriceObservation.store == store,
                    PriceObservation.availability == "on_sale",
                    PriceObservation.observed_at < utc(before),
                )
                .group_by(PriceObservation.url)
            )
            return {url: utc(at) for url, at in rows}

    def record_rival(self, run_id: int, store: str, competitor: str, clock: datetime, data: dict[str, Any]) -> None:
        with self.sessions.begin() as s:
            s.add(RivalSnapshot(run_id=run_id, store=store, competitor=competitor, taken_at=utc(clock), data=data))

    def _rival_snapshots(self, store: str, competitor: str) -> list[dict[str, Any]]:
        """The competitor's last hundred snapshots, newest first."""
        with self.sessions() as s:
            rows = s.scalars(
                select(RivalSnapshot)
                .where(RivalSnapshot.store == store, RivalSnapshot.competitor == competitor)
                .order_by(RivalSnapshot.id.desc())
                .limit(100)
            )
            return [dict(row.data) for row in rows]

    def last_rival(self, store: str, competitor: str, home_read: bool = False) -> dict[str, Any] | None:
        """The competitor's previous snapshot (any earlier run), for what changed since; `home_read`:
        the last one whose home page was read (snapshots from before that was kept: a 2xx/3xx status)."""
        for data in self._rival_snapshots(store, competitor):
            read = data.get("home_read", data.get("home_status") is not None and data["home_status"] < 400)
            if read or not home_read:
                return data
        return None

    def last_rival_prices(self, store: str, competitor: str) -> dict[str, float]:
        """The last price read of each of the competitor's paired products (a morning one was not read
        does not hide a move from the price before it)."""
        out: dict[str, float] = {}
        for data in self._rival_snapshots(store, competitor):
            for url, price in (data.get("prices") or {}).items():
                if price is not None:
                    out.setdefault(url, price)
        return out

    def rivals_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self.sessions() as s:
            rows = s.scalars(select(RivalSnapshot).where(RivalSnapshot.run_id == run_id).order_by(RivalSnapshot.id))
            return [{"competitor": r.competitor, **r.data} for r in rows]
