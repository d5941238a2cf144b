"""Probes: facts gathered after the crawl and before the checks (link status, image bytes, OCR text)."""
