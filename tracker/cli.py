"""Command-line commands; each calls the same services the web pages use."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .audit.services import record
from .auth.passwords import reset_on_command_line
from .auth.services import create_user, ensure_admin
from .contract import with_bom_first
from .coverage.filters import read_listing as read_coverage_listing
from .enums import AuditEventKind, Role
from .errors import DomainError, Invalid
from .exports.services import COVERAGE, CSV_FORMATS, EXPORT_FORMATS, INDICATOR_VALUES, counted, render_export
from .extensions import db
from .imports.writer import import_plan
from .indicators.filters import read_listing
from .items.services import ItemFilters
from .models import ActionItem, User, normalise_email
from .seeding.loader import seed_catalogue
from .tokens.services import find_user, issue_token, revoke_tokens, user_tokens

users = AppGroup("users", help="Manage user accounts.")
reminders = AppGroup("reminders", help="Reminders to agencies and coordinators.")
search = AppGroup("search", help="The full-text search's index.")
history = AppGroup("history", help="The items' history and what is kept from it.")


@click.command("seed")
@click.option("--seed-dir", type=click.Path(file_okay=False), help="Folder of catalogue files (default: seed/).")
@click.option("--if-empty", is_flag=True, help="Only load when the database holds no items yet.")
def seed_command(seed_dir: str | None, if_empty: bool) -> None:
    """Validate the plan catalogue and load it (idempotent)."""
    if if_empty and db.session.scalar(db.select(ActionItem.id).limit(1)) is not None:
        click.echo("The database already holds the catalogue; not seeding (run `flask seed` to refresh it).")
        return
    seed_dir = seed_dir or current_app.config["SEED_DIR"]
    try:
        report = seed_catalogue(seed_dir)
    except Invalid as exc:
        click.echo(f"The catalogue in {seed_dir} has {len(exc.problems)} problem(s); nothing was written:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"Seeded from {seed_dir}: {report.summary()}")


@click.command("export")
@click.option("--format", "export_format", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True,
              help="csv, xlsx, html: the items; indicator-values-csv: the indicators' values, one row per value; "
                   "coverage-csv: each recommendation with the actions addressing it.")
@click.option("--out", "out", required=True, help="File to write, or - for standard output.")
@click.option("--framework", default="", help="Framework code, e.g. NAP05.")
@click.option("--pillar", default="", help="prevention, prosecution, protection or partnership.")
@click.option("--agency", default="", help="Agency name, short name or alias (of an indicator: the one reporting it).")
@click.option("--province", default="", help="Province code, e.g. PB.")
@click.option("--status", default="", help="Status code, e.g. in_progress.")
@click.option("--overdue", is_flag=True, help="Only overdue items.")
@click.option("--due-from", default="", help="Only items due on or after this date (YYYY-MM-DD).")
@click.option("--due-to", default="", help="Only items due on or before this date (YYYY-MM-DD).")
@click.option("--search", default="", help="A search, as the item list's: ref, title, text, verified notes and "
                                           "agencies' names (of an indicator: its code, name or definition).")
@click.option("--retired", is_flag=True, help="Indicator values: of retired indicators too.")
@click.option("--gaps", is_flag=True, help="Coverage: only the recommendations no action addresses.")
def export_command(export_format, out, framework, pillar, agency, province, status, overdue, due_from, due_to,
                   search, retired, gaps) -> None:
    """Export the items (all, or filtered) as a file, the values of the indicators, or the coverage of the
    recommendations."""
    from .catalogue.services import find_agency

    agency_id = None
    if agency:
        found = find_agency(agency)
        if found is None:
            raise click.BadParameter(f"unknown agency {agency!r}", param_hint="--agency")
        agency_id = found.id
    if gaps and export_format != COVERAGE:
        raise click.UsageError(f"--gaps selects recommendations: use it with --format {COVERAGE}.")
    if export_format == COVERAGE:
        # The coverage page's filters: framework (of recommendations), pillar and gaps only.
        item_options = {"--agency": agency, "--province": province, "--status": status, "--overdue": overdue,
                        "--due-from": due_from, "--due-to": due_to, "--search": search, "--retired": retired}
        given = [name for name, value in item_options.items() if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} do not apply to the coverage; it is filtered by "
                                   "--framework, --pillar and --gaps.")
        filters = read_coverage_listing({"framework": framework, "pillar": pillar,
                                         "gaps": "1" if gaps else ""}).filters
        if filters.problems:
            raise click.BadParameter("; ".join(filters.problems))
        content, count = render_export(export_format, filters)
        _write_export(out, content, count, export_format)
        return
    if export_format == INDICATOR_VALUES:
        # The indicator list's filters: an option that selects items would be ignored here without a word.
        item_options = {"--framework": framework, "--province": province, "--status": status, "--overdue": overdue,
                        "--due-from": due_from, "--due-to": due_to}
        given = [name for name, value in item_options.items() if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} select items; indicator values are filtered by --pillar, "
                                   "--agency, --search and --retired.")
        listing = read_listing({"pillar": pillar, "q": search, "retired": "1" if retired else ""})
        filters = listing.filters
    else:
        if retired:
            raise click.UsageError(f"--retired selects indicators: use it with --format {INDICATOR_VALUES}.")
        filters = ItemFilters.from_args(
            {"framework": framework, "pillar": pillar, "province": province, "status": status,
             "overdue": "1" if overdue else "", "q": search, "due_from": due_from, "due_to": due_to}
        )
    if filters.problems:
        raise click.BadParameter("; ".join(filters.problems))
    filters = replace(filters, agency=agency_id)
    content, count = render_export(export_format, filters)
    _write_export(out, content, count, export_format)


def _write_export(out: str, content: bytes | Iterator[str], count: int, export_format: str) -> None:
    """An export's bytes (or text chunks, written as they are read) to a file, or to standard output for -; how
    many it holds, said aside."""
    chunks: Iterable[bytes] = [content] if isinstance(content, bytes) else (text.encode() for text in content)
    if export_format in CSV_FORMATS:
        chunks = with_bom_first(chunks)  # as every CSV the tracker writes: Excel reads it as UTF-8
    what = counted(export_format)
    if out == "-":
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        click.echo(f"{count} {what} exported", err=True)
        return
    tmp = f"{out}.part"
    # Written beside the target and renamed, so a failed export never leaves half a file.
    with open(tmp, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    os.replace(tmp, out)
    click.echo(f"{count} {what} exported to {out}")


@click.command("report")
@click.option("--year", type=int, default=None, help="The calendar year it covers (default: this year).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Or any period: its first day (YYYY-MM-DD), with --to.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The period's last day.")
@click.option("--framework", "frameworks", multiple=True, help="A framework's code (repeat for more; none: all).")
@click.option("--pillar", "pillars", multiple=True, help="A pillar's code (repeat for more; none: all).")
@click.option("--format", "file_format", type=click.Choice(["docx", "pdf"]), required=True)
@click.option("--language", type=click.Choice(["en", "ur"]), default="en", show_default=True,
              help="The language of its headings, labels and fixed sentences (the plan's texts stay as written).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The file to write.")
def report_command(year, start, end, frameworks, pillars, file_format, language, out) -> None:
    """Write the National Rapporteur's report of a year (or any period) as Word or PDF."""
    from .rapporteur.services import ReportOptions, build_files

    if bool(start) != bool(end):
        raise click.UsageError("Give both --from and --to, or neither.")
    if start and year:
        raise click.UsageError("Give a --year or a period (--from, --to), not both.")
    today = date.today()
    choices = {"frameworks": list(frameworks), "pillars": list(pillars), "language": language}
    options = (ReportOptions(start.date(), end.date(), **choices) if start
               else ReportOptions.year(year or today.year, **choices))
    if problems := options.problems():
        raise click.UsageError(" ".join(problems.values()))
    docx, pdf = build_files(options, today, lambda percent, step: click.echo(f"{percent:3d}% {step}", err=True))
    content = docx if file_format == "docx" else pdf
    tmp = f"{out}.part"
    with open(tmp, "wb") as handle:  # written beside the target and renamed: never half a file
        handle.write(content)
    os.replace(tmp, out)
    record(AuditEventKind.RAPPORTEUR_REPORT, subject="rapporteur_report:command",
           detail=f"wrote the report of {options.title_period} as {file_format} to {out}")
    db.session.commit()
    click.echo(f"The report of {options.title_period} written to {out} ({len(content):,} bytes).")


@click.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--create-agencies", is_flag=True, help="Create agencies the file names that match none (kind: other).")
@click.option("--create-frameworks", is_flag=True, help="Create frameworks the file names that match none.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; write nothing.")
@click.option("--user", "user_email", default=None, help="E-mail of the account the changes are recorded under.")
@click.option("--confirm-repeats", is_flag=True,
              help="Record every suggested repeat of an earlier recommendation (without it they are listed only).")
def import_plan_command(file, create_agencies, create_frameworks, dry_run, user_email, confirm_repeats) -> None:
    """Import a plan from a CSV file in the export's columns (all rows or none)."""
    user = None
    if user_email:
        user = db.session.scalar(db.select(User).where(User.email == normalise_email(user_email)))
        if user is None:
            raise click.BadParameter(f"no account {user_email!r}", param_hint="--user")
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        report = import_plan(data, create_agencies=create_agencies, create_frameworks=create_frameworks,
                             user=user, source_name=os.path.basename(file), dry_run=dry_run,
                             confirm_repeats=confirm_repeats)
    except Invalid as exc:
        click.echo(f"{file} has {len(exc.problems)} problem(s); nothing was written:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
    click.echo(f"{verb} {file}: {report.summary()}")
    if report.open_suggestions:
        recorded = {suggestion.key for suggestion in report.repeats_confirmed}
        click.echo("Likely repeats of earlier recommendations (" + (
            "confirmed" if recorded and not dry_run else "would be confirmed" if recorded
            else "not confirmed: give --confirm-repeats to record them") + "):")
        for suggestion in report.open_suggestions:
            click.echo(f"  row {suggestion.row}: {suggestion}")


@click.command("backup")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="A new (or empty) folder to write the backup into.")
def backup_command(out_dir: str) -> None:
    """Back up the database (a consistent snapshot while the app serves) and the uploads, with a manifest."""
    from .backup.services import make_backup

    try:
        manifest = make_backup(out_dir)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    revision = manifest.alembic_revision or "none"
    click.echo(f"Backed up the {manifest.database} database (schema revision {revision}) and "
               f"{manifest.upload_count} uploaded file(s) to {out_dir}.")


@click.command("restore")
@click.argument("src_dir", type=click.Path(exists=True, file_okay=False))
def restore_command(src_dir: str) -> None:
    """Restore a backup into the configured database (which must be empty) and the upload folder."""
    from .backup.services import restore_backup

    try:
        manifest = restore_backup(src_dir)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the {manifest.database} database of {manifest.created_at} and "
               f"{manifest.upload_count} uploaded file(s) from {src_dir}.")


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency", default=None, help="The agency of an agency user (name, short name or alias).")
@click.option("--name", default="", help="The person's name.")
@click.option("--password", default=None, help="Prompted for when omitted.")
def users_create(email, role, agency, name, password) -> None:
    """Create a user account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, name=name, agency_name=agency)
    except Invalid as exc:
        # The service names the form's fields; here they are the command's arguments and options.
        options = {"email": "EMAIL", "role": "--role", "agency": "--agency", "password": "--password"}
        raise click.ClickException("\n".join(f"{options.get(p.field, p.field)}: {p.message}" if p.field
                                             else p.message for p in exc.problems)) from None
    agency_text = f" of {user.agency.name}" if user.agency else ""
    click.echo(f"Created {user.role.value} {user.email}{agency_text}.")


@users.command("list")
def users_list() -> None:
    """List user accounts."""
    rows = db.session.scalars(db.select(User).order_by(User.role, User.email)).all()
    if not rows:
        click.echo("No users yet.")
        return
    for user in rows:
        state = "" if user.active else "  (deactivated)"
        agency = f"  {user.agency.name}" if user.agency else ""
        click.echo(f"{user.email:<40} {user.role.value:<12}{agency}{state}")


@users.command("ensure-admin")
@click.option("--login-box", is_flag=True, help="Print the admin's login in a box (as `make run` does, last).")
@click.option("--url", default="", help="The tracker's address, for the box (default: TRACKER_BASE_URL).")
def users_ensure_admin(login_box: bool, url: str) -> None:
    """Make sure an admin exists (TRACKER_ADMIN_EMAIL / TRACKER_ADMIN_PASSWORD)."""
    try:
        account = ensure_admin(os.environ.get("TRACKER_ADMIN_EMAIL"), os.environ.get("TRACKER_ADMIN_PASSWORD"))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    email = account.user.email
    if login_box:
        click.echo(boxed(admin_login_lines(account, url or current_app.config["TRACKER_BASE_URL"])))
        return
    if not account.created:
        click.echo(f"Admin account: {email}")
        return
    click.echo(f"Created the admin account {email}.")
    if account.generated_password:
        click.echo(f"Its one-time password (it logs in once, to choose your own), shown only this once: "
                   f"{account.generated_password}")


RESET_COMMAND = ".venv/bin/flask --app app users reset-password"


def admin_login_lines(account, url: str) -> list[str]:
    """What the box at the end of `make run`'s setup says: where to log in, as whom, with which password."""
    email = account.user.email
    lines = [f"The tracker: {url.rstrip('/')}/login", ""]
    if account.generated_password:
        return lines + [f"Admin e-mail:       {email}",
                        f"One-time password:  {account.generated_password}",
                        "", "Shown only this once. It logs in once: you then choose your own password."]
    if account.created:
        return lines + [f"Admin e-mail:  {email}", "Password:      the one in TRACKER_ADMIN_PASSWORD"]
    if account.user.temporary_password:
        known = "the one-time password printed when it was made (not chosen yet)"
    else:
        known = "the one its holder chose"
    return lines + [f"Admin e-mail:  {email}", f"Password:      {known}", "",
                    "Lost it? This prints a new one-time password (it also works while the server runs):",
                    f"  {RESET_COMMAND} {email}"]


def boxed(lines: list[str]) -> str:
    """Lines in a frame of plain ASCII, which every terminal shows, so that they stand out from the log."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 4) + "+"
    return "\n".join([rule, *(f"|  {line.ljust(width)}  |" for line in lines), rule])


@users.command("reset-password")
@click.argument("email")
@click.option("--password", default=None,
              help="The new password (the password policy applies); without it, a one-time password is generated "
                   "and printed.")
def users_reset_password(email, password) -> None:
    """Give an account a new password (a lost admin password, say); its logins end."""
    try:
        user, generated = reset_on_command_line(email, password)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    state = "" if user.active else " (note: the account is deactivated; it cannot log in until it is activated)"
    if generated:
        click.echo(f"New one-time password for {user.email}{state}, shown only this once (it logs in once, to "
                   f"choose one's own):")
        click.echo(generated)
    else:
        click.echo(f"Password of {user.email} changed{state}.")


@users.command("token")
@click.argument("email")
@click.option("--name", default="", help="A label saying what the token is for, e.g. the script using it.")
def users_token(email, name) -> None:
    """Make an API token for a user and print it (only this once)."""
    try:
        token, secret = issue_token(find_user(email), name)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    label = f" ({token.name})" if token.name else ""
    click.echo(f"Token {token.id}{label} for {token.user.email}, shown only this once; send it as "
               f"“Authorization: Bearer <token>”:", err=True)
    click.echo(secret)


@users.command("tokens")
@click.argument("email")
def users_tokens(email) -> None:
    """List a user's API tokens (never their secrets)."""
    try:
        tokens = user_tokens(find_user(email))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    if not tokens:
        click.echo("No tokens.")
        return
    for token in tokens:
        used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
        click.echo(f"{token.id:>5}  {token.name or '-':<30} created {token.created_at:%Y-%m-%d}  {used:<28} {state}")


@users.command("revoke-token")
@click.argument("email")
@click.option("--id", "token_id", type=int, default=None, help="Revoke only this token (see `users tokens`).")
def users_revoke_token(email, token_id) -> None:
    """Revoke one of a user's API tokens, or all of them."""
    try:
        revoked = revoke_tokens(find_user(email), token_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked {len(revoked)} token(s) of {email.strip()}.")


@reminders.command("run")
@click.option("--dry-run", is_flag=True, help="Show who would receive what; send and record nothing.")
@click.option("--today", "today", default=None, help="Run as if today were this date (YYYY-MM-DD).")
def reminders_run(dry_run: bool, today: str | None) -> None:
    """Send today's reminders (each at most once), printing what went to each agency."""
    from datetime import date

    from .reminders.delivery import run_reminders

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise click.BadParameter(f"{today!r} is not a date (YYYY-MM-DD)", param_hint="--today") from None
    report = run_reminders(day, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
    if any(report.failed.values()):
        sys.exit(1)


@search.command("reindex")
def search_reindex() -> None:
    """Write every item's search document again and rebuild the index (the app keeps both current by itself)."""
    from .search.documents import rebuild

    count = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Reindexed {count} item(s) for search.")


@history.command("recount")
def history_recount() -> None:
    """Count the items completed and reports made per month again from the history (the app keeps them current
    by itself; this repairs them, e.g. after entries written around the app)."""
    from .items.monthly_counts import rebuild

    months = rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Recounted the history: {months} month(s) with items completed or reports made.")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the one scheduler process (reminders on their cron schedule) until stopped."""
    import logging

    from .reminders.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # APScheduler logs every run of every job (the report queue is looked at every 5 seconds): that would bury
    # the admin's login `make run` prints, and say nothing the jobs do not say themselves when they act.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Scheduler running: reminders on the schedule set under Admin › Reminders. Ctrl+C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(export_command)
    app.cli.add_command(report_command)
    app.cli.add_command(import_plan_command)
    app.cli.add_command(users)
    app.cli.add_command(reminders)
    app.cli.add_command(search)
    app.cli.add_command(history)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
