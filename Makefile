.PHONY: demo test setup setup-test
demo: setup
	.venv/bin/auditor demo

test: setup-test
	.venv/bin/python -m pytest -q

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test
