"""Text normalisation shared by the price and date grammars (full-width forms, OCR slips, spaces)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (￥→¥, full-width digits and colons → ASCII), one space between words, OCR's 'O'/'o' for 0
    inside numbers."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("～", "~").replace("—", "-").replace("–", "-").replace("－", "-").replace("：", ":")
    t = re.sub(r"(?<=\d)[Oo](?=\d)", "0", t)
    return _SPACES.sub(" ", t).strip()
