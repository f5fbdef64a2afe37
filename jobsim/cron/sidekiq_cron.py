"""sidekiq-cron versions as data (layer 2): what changed from 1.8.0 to 2.x.

A :class:`SidekiqCronProfile` records each choice sidekiq-cron made differently between the
release Debian ships (1.8.0, the one jobsim is checked against) and the 2.x series most users
run (read at tag v2.3.1: ``lib/sidekiq/cron.rb``, ``lib/sidekiq/cron/job.rb``,
``sidekiq-cron.gemspec``). :class:`~jobsim.cron.recurring.Recurring` reads the fields; no code
path asks "which version is this?".

========================  =====================================  ===============================
choice                    sidekiq-cron 1.8.0                     sidekiq-cron 2.x (v2.3.1)
========================  =====================================  ===============================
grace period              60 s, fixed                            ``reschedule_grace_period``
                                                                 (default 60 s)
namespaces                none (``cron_job:NAME``)               ``namespace`` per job, default
                                                                 ``"default"``; not ``"*"``
``retry`` in the entry    ignored                                copied into the pushed job
ActiveJob default queue   the class's ``sidekiq_options`` queue  the class's ``queue_as``
natural-language mode     ``Fugit.do_parse``                     ``:single`` or ``:strict``
``load_from_hash!``       destroys every job not in the hash    only ``source: "schedule"`` ones
ERB in schedule.yml       not rendered (``YAML.load_file``)     rendered (since 1.9.0)
Fugit                     1.5.2 (Debian)                         ``~> 1.8, >= 1.11.1``
========================  =====================================  ===============================
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from jobsim.errors import InvalidArgument

__all__ = [
    "DEFAULT_SIDEKIQ_CRON",
    "SIDEKIQ_CRON_PROFILES",
    "SidekiqCronProfile",
    "get_sidekiq_cron_profile",
]


@dataclass(frozen=True, slots=True)
class SidekiqCronProfile:
    """One sidekiq-cron version's observable choices."""

    #: The name users pass as ``Recurring(sim, sidekiq_cron=...)``.
    name: str
    #: The upstream tag this profile was read from.
    reference_tag: str
    #: The Fugit rules the gem runs with: ``"fugit-1.5"`` (Debian's 1.5.2 under 1.8.0) or
    #: ``"fugit-1.11+"`` (2.x's gemspec pins ``>= 1.11.1``).
    fugit_dialect: Literal["fugit-1.5", "fugit-1.11+"]
    #: Whether ``reschedule_grace_period`` can be configured (2.0.0.rc1+, PR #465).
    configurable_grace_period: bool
    #: Whether jobs live in namespaces (2.0.0+); without them every job is in one set.
    namespaces: bool
    #: Whether an entry's ``retry`` is copied into the job it pushes (2.0.0+).
    copies_retry: bool
    #: Where an ActiveJob class's queue comes from when the entry names none:
    #: ``"sidekiq_options"`` (1.8.0: ``get_sidekiq_options``) or ``"queue_as"`` (2.x:
    #: ``klass.new(args).queue_name``).
    activejob_queue: Literal["sidekiq_options", "queue_as"]
    #: Whether jobs carry a ``source`` (``"schedule"`` or ``"dynamic"``, 2.0.0+), so that
    #: ``load_from_hash!`` destroys only schedule jobs that are gone from the schedule.
    job_sources: bool
    #: The natural-language parsing modes (``natural_cron_parsing_mode``); 1.8.0 has none
    #: to choose from.
    parsing_modes: tuple[str, ...]
    #: Whether the schedule loader renders ``schedule.yml`` with ERB first (1.9.0+, PR #373).
    schedule_erb: bool


SIDEKIQ_CRON_PROFILES: dict[str, SidekiqCronProfile] = {
    profile.name: profile
    for profile in (
        SidekiqCronProfile(
            name="sidekiq-cron-1.8",
            reference_tag="v1.8.0",
            fugit_dialect="fugit-1.5",
            configurable_grace_period=False,
            namespaces=False,
            copies_retry=False,
            activejob_queue="sidekiq_options",
            job_sources=False,
            parsing_modes=("single",),
            schedule_erb=False,
        ),
        SidekiqCronProfile(
            name="sidekiq-cron-2",
            reference_tag="v2.3.1",
            fugit_dialect="fugit-1.11+",
            configurable_grace_period=True,
            namespaces=True,
            copies_retry=True,
            activejob_queue="queue_as",
            job_sources=True,
            parsing_modes=("single", "strict"),
            schedule_erb=True,
        ),
    )
}

#: The version jobsim is checked against on the real gem (Debian's ruby-sidekiq-cron).
DEFAULT_SIDEKIQ_CRON = "sidekiq-cron-1.8"


def get_sidekiq_cron_profile(profile: str | SidekiqCronProfile) -> SidekiqCronProfile:
    """The profile called ``profile`` (or ``profile`` itself)."""
    if isinstance(profile, SidekiqCronProfile):
        return profile
    found = SIDEKIQ_CRON_PROFILES.get(str(profile))
    if found is None:
        names = sorted(SIDEKIQ_CRON_PROFILES)
        close = difflib.get_close_matches(str(profile), names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"sidekiq_cron={profile!r}: pass one of {', '.join(names)}{hint}"
        raise InvalidArgument(msg)
    return found
