"""The process the console starts for "run now": one audit or campaign check, outside the web server.

`python -m auditor.web.worker --config PATH --store NAME [--kind audit|campaign-check]
[--campaign NAME] [--now ISO]`. The run records itself (status, progress, errors) in the database the
console reads; this process's exit status and last line of standard error tell the console how it
ended when no run was recorded at all (the store was locked, the config could not be read).
"""

from __future__ import annotations

import argparse
import logging
import sys

from auditor.clock import parse_now
from auditor.config import load_config
from auditor.errors import AuditorError


def main(argv: list[str] | None = None) -> int:
    from auditor.errors import TerminatedError
    from auditor.pipeline import campaign_check, run_audit

    parser = argparse.ArgumentParser(prog="python -m auditor.web.worker")
    parser.add_argument("--config", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--kind", choices=("audit", "campaign-check"), default="audit")
    parser.add_argument("--campaign")
    parser.add_argument("--now")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = load_config(args.config)
        store = cfg.store(args.store)
        now = parse_now(args.now, cfg.zone(store))
        if args.kind == "campaign-check":
            run_id = campaign_check(cfg, store, args.campaign or "", now).result.run_id
        else:
            run_id = run_audit(cfg, store, now).run_id
    except AuditorError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (KeyboardInterrupt, TerminatedError):  # the run is recorded `aborted`
        print("aborted: the run was stopped", file=sys.stderr)
        return 130
    except Exception as exc:  # the run is recorded `failed` with this cause
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"run #{run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
