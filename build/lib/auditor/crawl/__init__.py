"""Crawl stage: Playwright reads the store's pages into a Snapshot (pages → regions → elements)."""
