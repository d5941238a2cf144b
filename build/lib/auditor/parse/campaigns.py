"""Named campaigns (双11, 618, 双12 ...) mentioned in text, with the dates config gives them — never invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from auditor.parse.dates import State, _state
from auditor.parse.normalize import normalize


class CampaignLike(Protocol):
    name: str
    keywords: list[str]
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CampaignMention:
    name: str
    keyword: str
    start: datetime
    end: datetime
    state: State

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "keyword": self.keyword,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "state": self.state,
        }


def find_campaigns(raw: str, now: datetime, campaigns: list[Any]) -> list[CampaignMention]:
    text = normalize(raw).lower()
    out = []
    for c in campaigns:
        for kw in [c.name, *c.keywords]:
            if normalize(kw).lower() in text:
                out.append(CampaignMention(c.name, kw, c.start, c.end, _state(c.start, c.end, now)))
                break
    return out
