"""Command line: `flask --app wsgi users create | seed demo | sweep | scheduler`."""
import sys
from datetime import datetime, timezone

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from monitor.database import unit_of_work
from monitor.domain.vocabulary import ROLES
from monitor.exceptions import AppError
from monitor.extensions import db
from monitor.models import Organization, User
from monitor.services.access import Actor
from monitor.services.accounts import users as user_service
from schemas.accounts import UserCreateSchema

users_cli = AppGroup("users", help="Manage user accounts.")
seed_cli = AppGroup("seed", help="Load demonstration data.")
SYSTEM = Actor(id=None, role="admin")


def _organization_id(name):
    """The id of the organisation called `name`, created if missing."""
    if not name:
        return None
    org = db.session.scalar(db.select(Organization).where(Organization.name == name))
    if org is None:
        org = user_service.create_organization(SYSTEM, {"name": name}, datetime.now(timezone.utc))
    return org.id


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--countries", default="", help="Comma-separated ISO codes, e.g. MX,PH.")
@click.option("--organization", default=None, help="Organisation name (created if new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, countries, organization, password_stdin):
    """Create a user; the password comes from stdin or a prompt, never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    payload = {"email": email, "role": role, "password": password,
               "countries": [c.strip() for c in countries.split(",") if c.strip()]}
    try:
        data = UserCreateSchema().load(payload)
        with unit_of_work():
            data["organization_id"] = _organization_id(organization)
            user = user_service.create_user(SYSTEM, data, datetime.now(timezone.utc))
    except ValidationError as exc:
        raise click.ClickException(f"invalid: {exc.messages}") from None
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"created {user.role} {user.email} ({user.id})")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when users already exist.")
def seed_demo(if_empty):
    """Load demo facilities, detentions and one user per role; print their logins once."""
    from seed.demo import load_demo
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("database already has data: demo not loaded "
                   "(demo logins were printed when it was first seeded)")
        return
    with unit_of_work():
        logins = load_demo(datetime.now(timezone.utc))
    click.echo("Demo logins (shown once; keep them):")
    for role, email, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")




@click.command("sweep")
def sweep_command():
    """Run one sweep now and print what it flagged."""
    from flask import current_app

    from monitor import gctuning
    from monitor.services.evaluation.sweep import sweep
    gctuning.settle()  # as in a server process, where the scheduler sweeps
    report = sweep(datetime.now(timezone.utc), current_app.config["SWEEP_BATCH_SIZE"])
    click.echo(f"examined {report['examined']} detentions: raised {report['raised']}, "
               f"reopened {report['reopened']}, resolved {report['resolved']}")
    for detention_id, rule in report["raised_rules"]:
        click.echo(f"  flagged {rule} on detention {detention_id}")


@click.command("scheduler")
def scheduler_command():
    """Run the sweep scheduler as a dedicated process (use with SCHEDULER_ENABLED=0 web)."""
    from flask import current_app

    from monitor import gctuning
    from monitor.scheduler import run_dedicated_scheduler
    gctuning.settle()  # a long-lived process, like a gunicorn worker
    click.echo(f"sweeping every {current_app.config['SWEEP_INTERVAL_SECONDS']} s; Ctrl-C to stop")
    run_dedicated_scheduler(current_app._get_current_object())


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["ndjson", "json", "csv"]), default="ndjson")
@click.option("--country", default=None, help="ISO code filter.")
@click.option("--from", "start", default=None, help="Arrested at or after (YYYY-MM-DD or RFC 3339).")
@click.option("--to", "end", default=None, help="Arrested before (YYYY-MM-DD or RFC 3339).")
@click.option("--organization", required=True, help="Receiving organisation: keys the pseudonyms.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
def export_command(fmt, country, start, end, organization, output):
    """Write a pseudonymised export to a file, with a progress bar (for large pulls)."""
    from tqdm import tqdm

    from monitor import gctuning
    from monitor.services.research import exports as research
    from schemas.research import ExportArgs
    gctuning.settle()  # a long run: start-up objects frozen out of the collector's walks
    try:
        args = ExportArgs().load({k: v for k, v in {"format": fmt, "country": country,
                                                    "from": start, "to": end}.items() if v})
    except ValidationError as exc:
        raise click.ClickException(f"invalid: {exc.messages}") from None
    org = db.session.scalar(db.select(Organization).where(Organization.name == organization))
    if org is None:
        raise click.ClickException(f"no organisation called {organization!r}")
    actor = Actor(id=None, role="admin", organization_id=org.id)
    total = research.count_matching(actor, args.get("country"), args.get("from_"), args.get("to"))
    with open(output, "wb") as out, \
            tqdm(total=total, unit="det", desc="export") as bar:
        for chunk in research.export(actor, fmt, datetime.now(timezone.utc), args.get("country"),
                                     args.get("from_"), args.get("to"), progress=bar.update):
            out.write(chunk)
    click.echo(f"wrote {total} detentions to {output}")


audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def audit_verify():
    """Check the hash chain of the whole audit trail; exit 1 if it was tampered with."""
    from monitor.services.audit import verify_trail
    checked, broken = verify_trail()
    if broken is not None:
        click.echo(f"audit trail BROKEN at entry {broken} ({checked} entries verified before it)")
        sys.exit(1)
    click.echo(f"audit trail intact: {checked} entries verified")


keys_cli = AppGroup("keys", help="Data-key management.")


@keys_cli.command("generate")
def keys_generate():
    """Print a fresh DATA_KEY (base64 of 32 random bytes)."""
    import base64
    import os
    click.echo(base64.urlsafe_b64encode(os.urandom(32)).decode())


@keys_cli.command("rotate")
def keys_rotate():
    """Re-seal every identity under DATA_KEY (old keys must be in DATA_KEYS_OLD meanwhile)."""
    from monitor.services.ops.keys import rotate
    counts = rotate()
    click.echo("re-sealed: " + ", ".join(f"{table} {n}" for table, n in counts.items()))


@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
def backup_command(output):
    """Write a consistent copy of the database (SQLite online backup, or pg_dump)."""
    from monitor.services.ops.backup import backup
    click.echo(backup(output))


def register_commands(app):
    """Attach the commands to the app."""
    for command in (users_cli, seed_cli, audit_cli, keys_cli, sweep_command, scheduler_command,
                    export_command, backup_command):
        app.cli.add_command(command)
