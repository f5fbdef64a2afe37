"""Rails versions as data for the ActiveJob layer (layer 2).

ActiveJob's retry layer changed between Rails releases: which ``wait:`` symbols exist,
``attempts: :unlimited``, ``after_discard``, what ``perform_now`` does with ``set`` options,
how ``retry_job`` enqueues, and the timestamps in the serialized job. A :class:`RailsVersion`
records each choice as a field; the facts and their sources are in
rails/rails ``activejob/lib/active_job/exceptions.rb`` at each tag.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from jobsim.errors import InvalidArgument

__all__ = ["DEFAULT_RAILS", "RAILS_VERSIONS", "RailsVersion", "get_rails"]


@dataclass(frozen=True, slots=True)
class RailsVersion:
    """One Rails version's ActiveJob choices."""

    #: The name users pass as ``rails=`` (``"6.1"`` … ``"8.0"``).
    name: str
    #: The upstream tag this was read from.
    reference_tag: str
    #: ``wait: :exponentially_longer``: ``"ok"`` (6.1, 7.0), ``"deprecated"`` (7.1: warns when
    #: the class is declared, still works), ``"removed"`` (7.2+: RuntimeError at the first failure).
    exponentially_longer: Literal["ok", "deprecated", "removed"]
    #: ``wait: :polynomially_longer`` exists (7.1+); before, RuntimeError at the first failure.
    polynomially_longer: bool
    #: ``attempts: :unlimited`` exists (7.0+); in 6.1 comparing with it fails at failure time.
    unlimited_attempts: bool
    #: ``after_discard`` exists and runs on exhaustion, discard and unhandled errors (7.1+).
    after_discard: bool
    #: ``ConfiguredJob#perform_now`` applies the ``set`` options (7.0+); 6.1 ignores them.
    perform_now_applies_set: bool
    #: ``retry_job`` enqueues the running job itself (6.1–7.1: its queue, priority and
    #: scheduled_at stay changed) or a copy (7.2, 8.0).
    retry_enqueues: Literal["self", "dup"]
    #: ``scheduled_at`` is serialized (7.1+) and timestamps carry 9 fractional digits.
    serializes_scheduled_at: bool
    #: ``config.active_job.skip_after_callbacks_if_terminated`` exists (6.1, 7.0; the
    #: simulator's setting decides); from 7.1 after callbacks always skip a halted chain.
    after_callbacks_configurable: bool
    #: The 7.1 serializers: ``BigDecimalSerializer`` (before, a Decimal is written as its text)
    #: and TimeWithZone's ``time_zone`` key.
    modern_serializers: bool


RAILS_VERSIONS: dict[str, RailsVersion] = {
    "6.1": RailsVersion(
        name="6.1",
        reference_tag="v6.1.7.10",
        exponentially_longer="ok",
        polynomially_longer=False,
        unlimited_attempts=False,
        after_discard=False,
        perform_now_applies_set=False,
        retry_enqueues="self",
        serializes_scheduled_at=False,
        after_callbacks_configurable=True,
        modern_serializers=False,
    ),
    "7.0": RailsVersion(
        name="7.0",
        reference_tag="v7.0.10",
        exponentially_longer="ok",
        polynomially_longer=False,
        unlimited_attempts=True,
        after_discard=False,
        perform_now_applies_set=True,
        retry_enqueues="self",
        serializes_scheduled_at=False,
        after_callbacks_configurable=True,
        modern_serializers=False,
    ),
    "7.1": RailsVersion(
        name="7.1",
        reference_tag="v7.1.6",
        exponentially_longer="deprecated",
        polynomially_longer=True,
        unlimited_attempts=True,
        after_discard=True,
        perform_now_applies_set=True,
        retry_enqueues="self",
        serializes_scheduled_at=True,
        after_callbacks_configurable=False,
        modern_serializers=True,
    ),
    "7.2": RailsVersion(
        name="7.2",
        reference_tag="v7.2.3.2",
        exponentially_longer="removed",
        polynomially_longer=True,
        unlimited_attempts=True,
        after_discard=True,
        perform_now_applies_set=True,
        retry_enqueues="dup",
        serializes_scheduled_at=True,
        after_callbacks_configurable=False,
        modern_serializers=True,
    ),
    "8.0": RailsVersion(
        name="8.0",
        reference_tag="v8.0.5.1",
        exponentially_longer="removed",
        polynomially_longer=True,
        unlimited_attempts=True,
        after_discard=True,
        perform_now_applies_set=True,
        retry_enqueues="dup",
        serializes_scheduled_at=True,
        after_callbacks_configurable=False,
        modern_serializers=True,
    ),
}

#: The newest Rails whose ActiveJob jobsim reproduces.
DEFAULT_RAILS = "8.0"


def get_rails(version: str | RailsVersion) -> RailsVersion:
    """The :class:`RailsVersion` called ``version`` (or ``version`` itself)."""
    if isinstance(version, RailsVersion):
        return version
    found = RAILS_VERSIONS.get(str(version))
    if found is None:
        close = difflib.get_close_matches(str(version), RAILS_VERSIONS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        msg = (
            f"rails={version!r} is not a Rails version jobsim knows; {hint}"
            f"choose one of {', '.join(RAILS_VERSIONS)}"
        )
        raise InvalidArgument(msg)
    return found
