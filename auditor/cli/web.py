"""Command line: the web console (`serve`) and its users (`user add|token|list|disable`)."""

from __future__ import annotations

import sys

import click

from auditor.cli.base import Ctx, cli, common, echo_json, out
from auditor.errors import AuditorError
from auditor.store.db import open_db
from auditor.store.repo import Repo


@cli.group()
def user() -> None:
    """Console users: viewer reads, operator triages and starts runs, admin also manages users."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "operator", "viewer"]), required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from standard input (for scripts)")
@common
def user_add(ctx: Ctx, name: str, role: str, password_stdin: bool) -> None:
    """Add a console user; asks for the password twice (or reads it from stdin).

    \b
    Example:
      auditor user add 小王 --role operator
      echo "$PASSWORD" | auditor user add bot --role viewer --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    Repo(open_db(ctx.cfg.db_url)).add_user(name, role, password)
    out.print(f"用户 {name}（{role}）已添加 / user added")


@user.command("token")
@click.argument("name")
@common
def user_token(ctx: Ctx, name: str) -> None:
    """Print a new API token for NAME (scripts send it as `Authorization: Bearer TOKEN`); shown once.

    \b
    Example:
      auditor user token bot
    """
    click.echo(Repo(open_db(ctx.cfg.db_url)).new_token(name))


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@common
def user_list(ctx: Ctx, as_json: bool) -> None:
    """List console users and their roles."""
    users = Repo(open_db(ctx.cfg.db_url)).users()
    if as_json:
        echo_json([{"name": u.name, "role": u.role, "disabled": u.disabled} for u in users])
        return
    for u in users:
        state = "\t已停用 disabled" if u.disabled else ""
        out.print(f"{u.name}\t{u.role}{state}")


@user.command("disable")
@click.argument("name")
@common
def user_disable(ctx: Ctx, name: str) -> None:
    """Disable a user: their logins and tokens stop working at once."""
    Repo(open_db(ctx.cfg.db_url)).disable_user(name)
    out.print(f"用户 {name} 已停用 / disabled")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=int)
@common
def serve(ctx: Ctx, host: str, port: int) -> None:
    """The web console: dashboard, findings triage, run now, exports (Chinese by default).

    \b
    Example:
      auditor user add 管理员 --role admin
      auditor serve --port 8000        # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from auditor.web.app import create_app

    if ctx.cfg.workers.broker:  # run-now would send audits to workers: refused now, not at the first click
        from auditor.workers import check_setup

        check_setup(ctx.cfg)
    repo = Repo(open_db(ctx.cfg.db_url))
    if not repo.has_admin():
        raise AuditorError("no admin user yet: create one first with `auditor user add NAME --role admin`")
    app = create_app(ctx.cfg, ctx.now_text)
    out.print(f"控制台 console: http://{host}:{port}/  (Ctrl-C 停止 stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
