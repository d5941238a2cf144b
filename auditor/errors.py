"""Errors that reach the operator: each names what and where; the CLI turns them into exit code 2."""


class AuditorError(Exception):
    """A usage, config or run error: shown as its message, exit code 2."""


class ConfigError(AuditorError):
    pass


class RuleError(AuditorError):
    pass


class BrowserNotFoundError(AuditorError):
    pass


class StoreLockedError(AuditorError):
    pass


class TerminatedError(Exception):
    """SIGTERM arrived during a run: the work was cancelled the way Ctrl-C cancels it (not an
    AuditorError: the CLI ends it with exit code 143, not 2)."""
