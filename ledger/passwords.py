"""Password hashing: argon2id for new hashes; bcrypt hashes still verify and get rehashed."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

_hasher = PasswordHash((Argon2Hasher(), BcryptHasher()))

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be upgraded)."""
    return _hasher.verify_and_update(password, password_hash)


# Verified against when the email is unknown, so a login takes the same time either way.
DUMMY_HASH = hash_password("not-a-real-password-used-for-timing")
