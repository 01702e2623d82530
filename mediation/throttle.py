"""Sign-in throttling: failed sign-ins counted per account, per address and per known device, in storage
every worker and instance shares (``RATELIMIT_STORAGE_URI``: Redis in production).

Only failures count, in moving windows (``limits``' moving-window strategy), so the wait an attempt is told
is exact: the moment the oldest failure in the window leaves it. A browser that signed in to an account
before carries a signed "known device" cookie for it (``mediation.auth.devices``); its attempts on that
account are counted for that device alone, so an attacker elsewhere can lock an account or an address for
new devices but never the owner's own browser (OWASP's device cookies). See docs/architecture.md,
"Signing in".
"""

import math
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from mediation.clock import utcnow

EXTENSION = "sign_in_throttle"


@dataclass(frozen=True)
class Attempt:
    """Who a sign-in attempt is for and where it comes from."""

    #: The username as typed (compared without case or surrounding spaces).
    username: str
    #: The client's address as ``ProxyFix`` leaves it.
    address: str
    #: The known-device id the browser carries for this account, if any.
    device: str | None = None


class SignInThrottle:
    """The counters of one app. Each count is a list of ``(limit, key)``; an attempt is allowed while each of
    its limits still has room."""

    def __init__(self, config):
        storage = storage_from_string(
            config["RATELIMIT_STORAGE_URI"], key_prefix=config["RATELIMIT_KEY_PREFIX"] + ":sign-in"
        )
        self.limiter = MovingWindowRateLimiter(storage)
        self.per_account = parse_many(config["SIGN_IN_FAILURES_PER_ACCOUNT"])
        self.per_address = parse_many(config["SIGN_IN_FAILURES_PER_ADDRESS"])
        self.per_device = parse_many(config["SIGN_IN_FAILURES_PER_DEVICE"])

    def _counts(self, attempt: Attempt):
        if attempt.device:
            return [(limit, ("device", attempt.device)) for limit in self.per_device]
        account = ("account", attempt.username.strip().lower())
        address = ("address", attempt.address)
        return [(limit, account) for limit in self.per_account] + [
            (limit, address) for limit in self.per_address
        ]

    def wait(self, attempt: Attempt) -> int:
        """Whole seconds before ``attempt`` may be tried (0: now): past the moment the oldest failure leaves a
        full window (a failure still counts at that very moment). Where several are full, the longest."""
        now = utcnow().timestamp()
        resets = [
            self.limiter.get_window_stats(limit, *key).reset_time
            for limit, key in self._counts(attempt)
            if not self.limiter.test(limit, *key)
        ]
        return max((max(1, math.floor(reset - now) + 1) for reset in resets), default=0)

    def failed(self, attempt: Attempt) -> None:
        """Count a failed ``attempt`` against each of its limits."""
        for limit, key in self._counts(attempt):
            self.limiter.hit(limit, *key)


def init_app(app) -> None:
    app.extensions[EXTENSION] = SignInThrottle(app.config)


def sign_in_throttle() -> SignInThrottle:
    return current_app.extensions[EXTENSION]
