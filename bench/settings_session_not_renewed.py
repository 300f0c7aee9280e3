"""Bench-only settings (never deployed): the project's, except that a request does not write its session
back unless the session changed. `bench/drill_poll.py --settings bench.settings_session_not_renewed` runs
the server on it, to show what the renewal on every request (SESSION_SAVE_EVERY_REQUEST) costs a poll."""

from yingji.settings import *  # noqa: F403

SESSION_SAVE_EVERY_REQUEST = False
