"""Reading promotions out of text: Chinese shop prices, date windows and named campaigns.

Pure functions of (text, audit clock, campaigns): checks and `auditor parse` use the same grammar.
"""

from datetime import datetime
from typing import Any

from auditor.parse.campaigns import CampaignMention, find_campaigns
from auditor.parse.dates import Window, parse_windows
from auditor.parse.prices import Price, parse_prices

__all__ = ["CampaignMention", "Price", "Window", "find_campaigns", "parse_prices", "parse_text", "parse_windows"]


def parse_text(text: str, now: datetime, campaigns: list[Any] | None = None) -> dict[str, Any]:
    """Everything the grammar reads in a text, as `auditor parse` prints it."""
    return {
        "text": text,
        "now": now.isoformat(),
        "prices": [p.as_dict() for p in parse_prices(text)],
        "windows": [w.as_dict() for w in parse_windows(text, now)],
        "campaigns": [c.as_dict() for c in find_campaigns(text, now, campaigns or [])],
    }
