"""Command line entry point: registers every command module, runs the group, turns failures into one line."""

from __future__ import annotations

import sys

import click

import auditor.cli.commands
import auditor.cli.findings
import auditor.cli.web
import auditor.cli.workers  # noqa: F401  (registers its commands)
from auditor.cli.base import cli, err, one_line
from auditor.errors import AuditorError


def main() -> None:
    """The entry point: every failure ends as one line naming the cause and exit code 2
    (`--debug` anywhere on the line, or AUDITOR_DEBUG=1, adds the traceback)."""
    import os

    from auditor.errors import TerminatedError

    debug = "--debug" in sys.argv[1:] or os.environ.get("AUDITOR_DEBUG") == "1"
    args = [a for a in sys.argv[1:] if a != "--debug"]
    try:
        cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("已中止 (aborted)")
        sys.exit(130)
    except TerminatedError:
        err.print("已中止：收到 SIGTERM，本次运行记为 aborted (terminated)")
        sys.exit(143)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except AuditorError as exc:
        if debug:
            err.print_exception()
        err.print(f"auditor: 错误：{one_line(str(exc))}", markup=False, highlight=False)
        sys.exit(2)
    except Exception as exc:
        if debug:
            err.print_exception()
        where = "" if debug else "（加 --debug 查看详细信息）"
        err.print(
            f"auditor: 运行失败：{type(exc).__name__}: {one_line(str(exc))}{where}", markup=False, highlight=False
        )
        sys.exit(2)
