"""Console users, their roles and API tokens; the cookie-signing key the console keeps."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import AuditorError
from auditor.store.tables import ApiToken, AppSecret, User

MIN_PASSWORD = 8
ROLES = ("viewer", "operator", "admin")  # each may do what the one before it may, and more
_hasher = PasswordHasher()


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


class UserStore:
    sessions: sessionmaker[Session]

    def add_user(self, name: str, role: str, password: str | None) -> User:
        if role not in ROLES:
            raise AuditorError(f"role {role!r}: one of {', '.join(ROLES)}")
        if not name.strip() or len(name) > 100:
            raise AuditorError("user name: 1 to 100 characters")
        if password is not None and len(password) < MIN_PASSWORD:
            raise AuditorError(f"the password needs at least {MIN_PASSWORD} characters")
        with self.sessions.begin() as s:
            if s.scalars(select(User).where(User.name == name)).first() is not None:
                raise AuditorError(f"user {name!r} exists")
            user = User(
                name=name,
                role=role,
                password_hash=_hasher.hash(password) if password else None,
                disabled=False,
                created_at=datetime.now(UTC),
            )
            s.add(user)
            s.flush()
            s.expunge(user)
            return user

    def users(self) -> list[User]:
        with self.sessions() as s:
            return list(s.scalars(select(User).order_by(User.name)))

    def user(self, name: str) -> User | None:
        with self.sessions() as s:
            return s.scalars(select(User).where(User.name == name)).first()

    def disable_user(self, name: str) -> None:
        with self.sessions.begin() as s:
            user = s.scalars(select(User).where(User.name == name)).first()
            if user is None:
                raise AuditorError(f"no user {name!r}")
            user.disabled = True

    def has_admin(self) -> bool:
        with self.sessions() as s:
            return s.scalars(select(User).where(User.role == "admin", User.disabled.is_(False))).first() is not None

    def check_password(self, name: str, password: str) -> User | None:
        """The user if the password is theirs and they are not disabled; None otherwise (same time either way)."""
        user = self.user(name)
        stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.password_hash or user.disabled:  # a user without a password logs in by token only
            return None
        return user

    def new_token(self, name: str) -> str:
        token = "aud_" + secrets.token_urlsafe(32)
        with self.sessions.begin() as s:
            user = s.scalars(select(User).where(User.name == name)).first()
            if user is None:
                raise AuditorError(f"no user {name!r}")
            s.add(ApiToken(user_id=user.id, token_sha256=_sha(token), created_at=datetime.now(UTC)))
        return token

    def token_user(self, token: str) -> User | None:
        with self.sessions() as s:
            row = s.scalars(select(ApiToken).where(ApiToken.token_sha256 == _sha(token))).first()
            user = s.get(User, row.user_id) if row is not None else None
            return user if user is not None and not user.disabled else None

    def secret(self, name: str) -> str:
        """A random secret made on first use and kept in the database (shared by every console process)."""
        with self.sessions.begin() as s:
            row = s.get(AppSecret, name)
            if row is None:
                row = AppSecret(name=name, value=secrets.token_urlsafe(48))
                s.add(row)
            return row.value


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def _dummy_hash() -> str:
    """So an unknown name costs the same time as a wrong password. Made once, when the console starts
    (`prepare_logins`), not at import: hashing takes ~0.1 s, which every command would pay."""
    return _hasher.hash("not a password anyone has")


def prepare_logins() -> None:
    """Before the first login: the first unknown name must not cost more than the ones after it."""
    _dummy_hash()
