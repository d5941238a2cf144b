.PHONY: demo test setup setup-test
demo: setup
	.venv/bin/auditor demo

test: setup-test
	AUDITOR_REQUIRE_PG=1 .venv/bin/python -m pytest -q

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test
