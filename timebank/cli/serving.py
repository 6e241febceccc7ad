"""``keys create``, ``serve`` and ``demo``: giving out API keys and serving the HTTP API.

``serve`` runs gunicorn through its ``BaseApplication`` API (not the Flask development
server); each worker builds its own app, and so its own database engine, after the fork,
and serves it with waitress (``webapi.worker``: requests are read whole before a thread
sees them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.cli.messages import say
from timebank.i18n import N_, Text, translate
from timebank.io.cards import card_link, card_qr_svg

err = Console(stderr=True)


@main.group()
def keys() -> None:
    """API keys for the HTTP API."""


@keys.command("create")
@db_option
@lang_option
@click.option("--role", required=True, type=click.Choice(["admin", "clerk", "member", "kiosk"]),
              help="The key's role.")
@click.option("--community", default=None, help="The community it belongs to; an admin "
              "key without one is a platform key that may create communities.")
@click.option("--member", default=None, help="For a member key: the member it may see.")
@click.option("--label", default="", help="A note to tell keys apart.")
@click.option("--holder", default="", help="The person the key is given to (王芳): "
              "statements show this name, and one person's keys count as one approver.")
@click.option("--qr", "qr", type=click.Path(dir_okay=False, writable=True), default=None,
              help="For a member key: write the member card's QR code (SVG) here, a link "
              "to the member's page that signs in with this key.")
@click.option("--base-url", envvar="TIMEBANK_PUBLIC_URL", default="http://127.0.0.1:5000",
              show_default=True, help="Where the pages are served, for the QR link "
              "(env TIMEBANK_PUBLIC_URL).")
@click.pass_context
def keys_create(ctx: click.Context, role: str, community: str | None, member: str | None,
                label: str, holder: str, qr: str | None, base_url: str) -> None:
    """Create an API key and print it once (last line); only its hash is stored."""
    if qr is not None and role != "member":
        raise click.UsageError(translate(N_("--qr is for member keys (the member card)"),
                                         lang_of(ctx)))
    link = card_link(base_url, "x")  # a bad base URL is refused before a key is made
    created = open_bank(ctx).keys.create(role, community=community, member=member,
                                         label=label, holder=holder)
    lang = lang_of(ctx)
    click.echo(say("key_created", lang, role=role, id=created.id,
                   scope=created.community or say("platform", lang),
                   member=f", member {member}" if member else ""))
    if qr is not None:
        link = card_link(base_url, created.token)
        Path(qr).write_bytes(card_qr_svg(link))
        err.print(say("qr_written", lang, path=qr))
    click.echo(created.token)


class Server:
    """gunicorn running ``factory()`` (called in each worker) on ``host:port``: its
    arbiter keeps ``workers`` processes, each serving with waitress, which reads every
    request whole before one of its ``threads`` sees it (``webapi.worker``), so slow
    clients hold sockets, never threads."""

    def __init__(self, factory: Callable[[], Any], *, host: str = "127.0.0.1",
                 port: int = 5000, workers: int = 2, threads: int = 8,
                 **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                    "worker_class": "webapi.worker.BufferedWorker",
                    "worker_connections": 1000, "accesslog": None, "errorlog": "-",
                    "loglevel": "warning", "keepalive": 5, "graceful_timeout": 5, **options}

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for name, value in settings.items():
                    self.cfg.set(name, value)

            def load(self) -> Any:
                return factory()

        self.app = App()

    def run(self) -> None:
        self.app.run()


def app_factory(db_url: str, group_commit: bool | None = None) -> Callable[[], Any]:
    def build() -> Any:
        from webapi import create_app

        config: dict[str, Any] = {"TIMEBANK_DATABASE_URL": db_url}
        if group_commit is not None:
            config["TIMEBANK_GROUP_COMMIT"] = group_commit
        return create_app(config)
    return build


@main.command()
@db_option
@lang_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=int,
              help="Worker processes (default: 1 on SQLite, which has one writer at a "
              "time, else the cores, at most 4).")
@click.option("--threads", default=8, show_default=True, type=int,
              help="Threads per worker.")
@click.option("--group-commit/--no-group-commit", "group_commit", default=None,
              help="Let concurrent writes of a worker share one transaction, a savepoint "
              "each (default: env TIMEBANK_GROUP_COMMIT, else off).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None,
          threads: int, group_commit: bool | None) -> None:
    """Serve the HTTP API with gunicorn (schema created or upgraded first)."""
    bank = open_bank(ctx, need_schema=False)
    bank.init()
    if workers is None:
        workers = 1 if bank.store.dialect == "sqlite" else min(4, os.cpu_count() or 1)
    bank.close()
    err.print(say("serving", lang_of(ctx), base=f"http://{host}:{port}/api/v1"))
    Server(app_factory(ctx.obj["db_url"], group_commit), host=host, port=port,
           workers=workers, threads=threads).run()


@main.command()
@db_option
@lang_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Build the demo data and print a key only.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Create (if missing) a demo community, print an admin key and the docs URL, serve."""
    from timebank.demo import CODE, NAME, build

    bank = open_bank(ctx, need_schema=False)
    bank.init()
    lang = lang_of(ctx)
    summary = build(bank, progress=lambda text: err.print(
        f"[dim]{text.render(lang) if isinstance(text, Text) else translate(text, lang)}[/]",
        highlight=False))
    key = bank.keys.create("admin", community=CODE, label="demo")
    base = f"http://{host}:{port}/api/v1"
    click.echo(say("demo_created" if summary.created else "demo_found", lang,
                   community=summary.community, name=NAME, members=summary.members,
                   contributions=summary.contributions))
    click.echo(say("demo_docs", lang, url=f"{base}/docs"))
    click.echo(say("demo_try", lang, command=f"curl -H 'Authorization: Bearer {key.token}' "
                                            f"{base}/members/{summary.sample_member}/balance"))
    click.echo(say("demo_key", lang))
    click.echo(key.token)
    bank.close()
    if not no_serve:
        Server(app_factory(ctx.obj["db_url"]), host=host, port=port, workers=1).run()
