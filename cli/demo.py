"""Demo data: three users, accounts in USD, EUR and GBP, and years of realistic transactions.

Statements are generated as bank CSV files and imported through the real importer, so the demo
exercises the same path as a user's upload. Every day's activity is derived from a seed of
(user, account, day), so re-running, even on a later day, adds only the days that are new.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from ingestion import import_bank_file
from ledger.db import session_scope
from ledger.models import Account, User
from ledger.money import format_minor
from ledger.passwords import hash_password

DEMO_PASSWORD = "demo-password-1"
ADMIN_EMAIL = "admin@demo.bankdash.dev"

# (description, low, high) in minor units; negative is money out.
GROCERIES_US = [
    ("WHOLE FOODS MARKET #10234 AUSTIN TX", -2500, -14500),
    ("TRADER JOE'S #552", -1800, -9500),
    ("KROGER #0412", -2000, -12000),
]
DINING_US = [
    ("SQ *BLUE BOTTLE COFFEE", -450, -1200),
    ("CHIPOTLE 1234", -1100, -1900),
    ("TST* SHAKE SHACK 0091", -1500, -3800),
    ("DOORDASH*THAI BASIL", -2400, -5200),
]
TRANSPORT_US = [("UBER *TRIP HELP.UBER.COM", -900, -3400), ("SHELL OIL 57442", -3000, -6500)]
SHOPPING_US = [("AMAZON.COM*2K4L91 AMZN.COM/BILL", -1200, -18000), ("TARGET 00021", -1500, -9000)]
GROCERIES_UK = [
    ("TESCO STORES 3321", -1200, -8500),
    ("SAINSBURYS S/MKTS", -1500, -7000),
    ("PRET A MANGER", -450, -1200),
]
DINING_UK = [
    ("DISHOOM LONDON", -2500, -6000),
    ("COSTA COFFEE 4412", -300, -700),
    ("DELIVEROO", -1800, -4200),
]
TRANSPORT_UK = [("TFL TRAVEL CH", -280, -1500), ("TRAINLINE.COM", -1500, -9000)]
GROCERIES_EU = [
    ("REWE MARKT GMBH", -1500, -9000),
    ("CARREFOUR CITY", -900, -6000),
    ("ALDI SUED", -1200, -5500),
]
DINING_EU = [("CAFE DE FLORE", -600, -2500), ("LIEFERANDO.DE", -1800, -4000)]
TRANSPORT_EU = [("DB VERTRIEB GMBH", -1900, -12000), ("BOLT.EU/O/2401", -700, -2200)]


@dataclass
class AccountPlan:
    key: str
    bank_name: str
    account_type: str
    currency: str
    opening_minor: int
    monthly: list[tuple[int, str, int, int]] = field(default_factory=list)  # day, desc, lo, hi
    daily_pools: list[tuple[float, list[tuple[str, int, int]]]] = field(default_factory=list)


@dataclass
class UserPlan:
    email: str
    name: str
    base_currency: str
    accounts: list[AccountPlan]
    # (day of month, from account key, to account key, amount minor, description)
    transfers: list[tuple[int, str, str, int, str]] = field(default_factory=list)


def _plans() -> list[UserPlan]:
    return [
        UserPlan(
            email="ada@demo.bankdash.dev",
            name="Ada Park",
            base_currency="USD",
            accounts=[
                AccountPlan(
                    "checking",
                    "Chase",
                    "checking",
                    "USD",
                    420000,
                    monthly=[
                        (1, "ZELLE RENT PAYMENT GREENVIEW APTS", -185000, -185000),
                        (15, "ACME CORP PAYROLL PPD", 310000, 310000),
                        (30, "ACME CORP PAYROLL PPD", 310000, 310000),
                        (5, "COMCAST CABLE COMM", -8999, -8999),
                        (12, "AUSTIN ENERGY UTIL", -6500, -14500),
                        (20, "GEICO AUTO INSURANCE", -11800, -11800),
                    ],
                    daily_pools=[(0.45, GROCERIES_US), (0.6, DINING_US), (0.3, TRANSPORT_US)],
                ),
                AccountPlan(
                    "card",
                    "American Express",
                    "credit_card",
                    "USD",
                    0,
                    monthly=[
                        (3, "NETFLIX.COM", -1549, -1549),
                        (9, "SPOTIFY USA", -1199, -1199),
                        (22, "ADOBE *CREATIVE CLOUD", -5499, -5499),
                    ],
                    daily_pools=[(0.35, SHOPPING_US), (0.2, DINING_US)],
                ),
                AccountPlan(
                    "savings",
                    "N26",
                    "savings",
                    "EUR",
                    1250000,
                    monthly=[(28, "ZINSGUTSCHRIFT / INTEREST", 900, 1400)],
                ),
            ],
            transfers=[(16, "checking", "card", 60000, "AMEX EPAYMENT ACH PMT")],
        ),
        UserPlan(
            email="ben@demo.bankdash.dev",
            name="Ben Okafor",
            base_currency="GBP",
            accounts=[
                AccountPlan(
                    "current",
                    "Monzo",
                    "checking",
                    "GBP",
                    180000,
                    monthly=[
                        (28, "SALARY NORTHWIND LTD", 325000, 325000),
                        (1, "FOXTONS RENT", -140000, -140000),
                        (3, "THAMES WATER", -3800, -3800),
                        (6, "OCTOPUS ENERGY", -9000, -16000),
                        (10, "COUNCIL TAX LAMBETH", -14500, -14500),
                        (14, "NETFLIX.COM", -1099, -1099),
                        (18, "PUREGYM LTD", -2499, -2499),
                    ],
                    daily_pools=[(0.35, GROCERIES_UK), (0.3, DINING_UK), (0.35, TRANSPORT_UK)],
                ),
                AccountPlan(
                    "savings",
                    "Barclays",
                    "savings",
                    "GBP",
                    800000,
                    monthly=[(30, "INTEREST PAID", 1500, 2400)],
                ),
            ],
            transfers=[(29, "current", "savings", 40000, "TRANSFER TO SAVINGS")],
        ),
        UserPlan(
            email="chloe@demo.bankdash.dev",
            name="Chloé Martin",
            base_currency="EUR",
            accounts=[
                AccountPlan(
                    "giro",
                    "Deutsche Bank",
                    "checking",
                    "EUR",
                    350000,
                    monthly=[
                        (27, "GEHALT CONTOSO GMBH", 345000, 345000),
                        (1, "MIETE WOHNUNG BERLIN", -125000, -125000),
                        (4, "VATTENFALL STROM", -6500, -9500),
                        (8, "TELEKOM DEUTSCHLAND", -3995, -3995),
                        (15, "SPOTIFY AB", -1099, -1099),
                    ],
                    daily_pools=[(0.5, GROCERIES_EU), (0.4, DINING_EU), (0.3, TRANSPORT_EU)],
                ),
                AccountPlan(
                    "usd",
                    "Wise",
                    "checking",
                    "USD",
                    150000,
                    monthly=[(20, "UPWORK ESCROW INC", 90000, 160000)],
                    daily_pools=[(0.08, SHOPPING_US)],
                ),
            ],
        ),
    ]


def _account_days(user: UserPlan, plan: AccountPlan, start: date, end: date) -> list[str]:
    """CSV lines (date, description, amount) for one account between start and end."""
    lines: list[str] = []
    day = start
    while day <= end:
        rng = random.Random(f"{user.email}:{plan.key}:{day.isoformat()}")
        for dom, description, low, high in plan.monthly:
            if day.day == min(dom, _last_day(day)):
                lines.append(_line(day, description, _draw(rng, low, high), plan.currency))
        for probability, pool in plan.daily_pools:
            if rng.random() < probability:
                description, low, high = rng.choice(pool)
                lines.append(_line(day, description, _draw(rng, low, high), plan.currency))
        for dom, source, target, amount, description in user.transfers:
            if day.day == min(dom, _last_day(day)):
                if plan.key == source:
                    lines.append(_line(day, description, -amount, plan.currency))
                elif plan.key == target:
                    lines.append(_line(day, description, amount, plan.currency))
        day += timedelta(days=1)
    return lines


def _draw(rng: random.Random, bound_a: int, bound_b: int) -> int:
    return rng.randint(min(bound_a, bound_b), max(bound_a, bound_b))


def _last_day(day: date) -> int:
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (next_month - timedelta(days=1)).day


def _line(day: date, description: str, amount_minor: int, currency: str) -> str:
    return f"{day.isoformat()},{description},{format_minor(amount_minor, currency)}"


def _ensure_user(engine: Engine, email: str, name: str, base_currency: str, role: str) -> int:
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                name=name,
                email=email,
                password_hash=hash_password(DEMO_PASSWORD),
                base_currency=base_currency,
                role=role,
                kyc_status="verified",
            )
            session.add(user)
            session.flush()
        return user.id


def _ensure_account(engine: Engine, user_id: int, plan: AccountPlan) -> int:
    with session_scope(engine) as session:
        account = session.scalar(
            select(Account).where(Account.user_id == user_id, Account.bank_name == plan.bank_name)
        )
        if account is None:
            account = Account(
                user_id=user_id,
                bank_name=plan.bank_name,
                account_type=plan.account_type,
                currency=plan.currency,
                masked_account=f"****{zlib.crc32(plan.bank_name.encode()) % 10000:04d}",
                opening_balance_minor=plan.opening_minor,
            )
            session.add(account)
            session.flush()
        return account.id


def seed_demo_data(
    engine: Engine,
    *,
    years: int = 2,
    today: date | None = None,
    landing_dir: Path | None = None,
) -> list[tuple[str, str]]:
    """Create (or top up) the demo users; returns their logins.

    With `landing_dir`, the first account's last week is not imported here but dropped as a
    statement into `<landing_dir>/<account_id>/`, for the Dagster landing sensor to import.
    """
    end = today or date.today()
    start = end.replace(year=end.year - years)
    _ensure_user(engine, ADMIN_EMAIL, "Demo Admin", "USD", "admin")
    logins = [(ADMIN_EMAIL, DEMO_PASSWORD)]
    for user_number, user in enumerate(_plans()):
        user_id = _ensure_user(engine, user.email, user.name, user.base_currency, "user")
        for account_number, plan in enumerate(user.accounts):
            account_id = _ensure_account(engine, user_id, plan)
            to_landing = landing_dir is not None and user_number == account_number == 0
            last_imported = end - timedelta(days=7) if to_landing else end
            lines = _account_days(user, plan, start, last_imported)
            import_bank_file(
                engine,
                account_id=account_id,
                content=_statement(lines),
                filename=f"demo-{plan.key}.csv",
            )
            if to_landing and landing_dir is not None:
                week = _account_days(user, plan, last_imported + timedelta(days=1), end)
                _drop_in_landing(landing_dir / str(account_id), f"demo-{end}.csv", week)
        logins.append((user.email, DEMO_PASSWORD))
    return logins


def _statement(lines: list[str]) -> bytes:
    return ("Date,Description,Amount\n" + "\n".join(lines) + "\n").encode()


def _drop_in_landing(folder: Path, name: str, lines: list[str]) -> None:
    """Written aside, then renamed into place: the sensor never sees a half-written file."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.partial"
    partial.write_bytes(_statement(lines))
    partial.replace(folder / name)
