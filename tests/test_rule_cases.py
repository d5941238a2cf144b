"""One runner for every rule's own pass/fail cases (`pytest -k dead-link` runs one rule)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from auditor.config import Campaign
from auditor.engine import Rule, load_checks, load_rules, run_rules
from auditor.models import Facts, Snapshot

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
DEFAULT_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RULES = load_rules(RULES_DIR)


def _cases() -> list[Any]:
    return [pytest.param(rule, case, id=f"{rule.id}::{case.name}") for rule in RULES for case in rule.cases]


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, float) and isinstance(actual, int | float):
        return abs(expected - actual) < 1e-6
    return bool(expected == actual)


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_rule_case(rule: Rule, case: Any) -> None:
    snapshot = Snapshot(store="t", pages=case.pages)
    facts = Facts.model_validate(case.facts)
    params = load_checks()[rule.check].params.model_validate({**rule.params, **case.params})
    one = rule.model_copy(update={"parsed_params": params, "enabled": True})
    campaigns = [Campaign.model_validate(c) for c in case.campaigns]
    findings = run_rules([one], snapshot, facts, case.now or DEFAULT_NOW, campaigns=campaigns)
    if case.expect == "pass":
        assert findings == [], [f.model_dump() for f in findings]
        return
    assert findings, "expected findings, got none"
    assert len(findings) == len(case.findings), [f.model_dump() for f in findings]
    for want, got in zip(case.findings, findings, strict=True):
        assert _subset(want, got.model_dump(mode="json")), (want, got.model_dump(mode="json"))
    assert all(f.message and "{" not in f.message for f in findings), [f.message for f in findings]


def test_every_rule_has_passing_and_failing_cases() -> None:
    for rule in RULES:
        kinds = {c.expect for c in rule.cases}
        assert kinds == {"pass", "fail"}, f"{rule.source}: needs both a pass and a fail case"


def test_every_check_is_used_and_documented() -> None:
    used = {r.check for r in RULES}
    for name, spec in load_checks().items():
        assert name in used, f"check {name} has no rule in rules/"
        assert len(spec.doc) > 40, f"check {name} has no docstring"
