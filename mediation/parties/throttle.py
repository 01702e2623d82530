"""The intake type-ahead's throttle: searches per user, in moving windows kept where every worker and
instance shares them (``RATELIMIT_STORAGE_URI``: Redis in production), as the sign-in throttle keeps its
failures. A masked phone or ID number cannot be spelt out by asking again and again."""

import math

from flask import current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from mediation.clock import utcnow

EXTENSION = "party_search_throttle"


def init_app(state) -> None:
    """Give the app its counter (``Blueprint.record_once``: when the parties blueprint is registered)."""
    config = state.app.config
    storage = storage_from_string(
        config["RATELIMIT_STORAGE_URI"], key_prefix=config["RATELIMIT_KEY_PREFIX"] + ":party-search"
    )
    state.app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)


def wait_before_search(user_id) -> int:
    """Count one search by ``user_id``; 0 when it may go ahead, else the whole seconds to wait (the moment
    the oldest search leaves a full window). The limits are ``PARTY_SEARCH_RATE_LIMIT``."""
    counter: MovingWindowRateLimiter = current_app.extensions[EXTENSION]
    limits = parse_many(current_app.config["PARTY_SEARCH_RATE_LIMIT"])
    full = [limit for limit in limits if not counter.test(limit, "user", str(user_id))]
    if full:
        now = utcnow().timestamp()
        resets = (counter.get_window_stats(limit, "user", str(user_id)).reset_time for limit in full)
        return max(max(1, math.floor(reset - now) + 1) for reset in resets)
    for limit in limits:
        counter.hit(limit, "user", str(user_id))
    return 0


def reset() -> None:
    """Forget every count (the suite's throttle tests start from none)."""
    current_app.extensions[EXTENSION].storage.reset()
