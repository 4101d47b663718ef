"""`bankdash ...`: the operator's command line."""

from __future__ import annotations

import getpass

import typer
from sqlalchemy import select

from ledger.db import default_engine, migrate, session_scope
from ledger.models import User
from ledger.passwords import MIN_PASSWORD_LENGTH, hash_password
from ledger.settings import get_settings

app = typer.Typer(help="bankdash operations", no_args_is_help=True, add_completion=False)


@app.command("migrate")
def migrate_command() -> None:
    """Upgrade the ops store (DATABASE_URL) to the newest migration."""
    settings = get_settings()
    migrate(settings.database_url)
    typer.echo(f"ops store migrated: {settings.database_url}")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., help="The admin's login email."),
    name: str = typer.Option("Administrator", help="Display name."),
    password: str | None = typer.Option(
        None, help="Omit to be prompted (keeps it out of shell history)."
    ),
) -> None:
    """Create an admin user, or promote an existing user to admin."""
    email = email.strip().lower()
    engine = default_engine()
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            user.role = "admin"
            typer.echo(f"promoted {email} to admin (id {user.id})")
            return
        password = password or getpass.getpass("Password: ")
        if len(password) < MIN_PASSWORD_LENGTH:
            typer.echo(f"password must have at least {MIN_PASSWORD_LENGTH} characters", err=True)
            raise typer.Exit(2)
        user = User(name=name, email=email, password_hash=hash_password(password), role="admin")
        session.add(user)
        session.flush()
        typer.echo(f"created admin {email} (id {user.id})")


@app.command("seed-demo")
def seed_demo(
    years: int = typer.Option(2, help="How many years of history to generate."),
) -> None:
    """Three demo users with USD, EUR and GBP accounts and realistic transactions (idempotent)."""
    from cli.demo import seed_demo_data

    landing_dir = get_settings().landing_dir
    logins = seed_demo_data(default_engine(), years=years, landing_dir=landing_dir)
    typer.echo(f"dropped this week's statement of the first account into {landing_dir}/")
    typer.echo("demo logins (email / password):")
    for email, password in logins:
        typer.echo(f"  {email} / {password}")


def _register_import() -> None:
    from cli.imports import import_command

    app.command("import")(import_command)


_register_import()

if __name__ == "__main__":
    app()
