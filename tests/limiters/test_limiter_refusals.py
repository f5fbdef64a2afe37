"""Every limiter parameter refuses bad values where it enters: what, where, which value, fix."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest

import jobsim
from jobsim.limiters import Limiters, limiter_errors, limiters
from tests.conftest import START


def _bad(value: Any) -> Any:
    """A wrong value, typed as anything so the type checker lets the test pass it."""
    return value


def factory() -> Any:
    return limiters(jobsim.Simulator(start=START, plugins=[Limiters()]))


CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("name empty", lambda: factory().concurrent("", 1),
     "limiters(sim).concurrent(name)='': pass a non-empty limiter name (str)"),
    ("name not str", lambda: factory().bucket(42, 1, "second"),
     "limiters(sim).bucket(name)=42: pass a non-empty limiter name (str)"),
    ("name characters", lambda: factory().window("stripe:42", 1, 60),
     "limiters(sim).window(name)='stripe:42': Sidekiq refuses other characters in a limiter "
     "name; pass a name of letters, digits, '-' and '_' only"),
    ("size zero", lambda: factory().concurrent("erp", 0),
     "limiters(sim).concurrent(size)=0: pass a whole number >= 1"),
    ("size bool", lambda: factory().concurrent("erp", True),
     "limiters(sim).concurrent(size)=True: pass a whole number >= 1"),
    ("size float", lambda: factory().leaky("erp", 2.5, 60),
     "limiters(sim).leaky(size)=2.5: pass a whole number >= 1"),
    ("count zero", lambda: factory().bucket("b", 0, "minute"),
     "limiters(sim).bucket(count)=0: pass a whole number >= 1"),
    ("window count negative", lambda: factory().window("w", -1, 60),
     "limiters(sim).window(count)=-1: pass a whole number >= 1"),
    ("points zero", lambda: factory().points("p", 0, 60),
     "limiters(sim).points(points)=0: pass a whole number >= 1"),
    ("interval name", lambda: factory().bucket("b", 1, "fortnight"),
     "limiters(sim).bucket(interval)='fortnight': pass 'second', 'minute', 'hour', 'day', "
     "or seconds > 0"),
    ("interval zero", lambda: factory().window("w", 1, 0),
     "limiters(sim).window(interval)=0: out of range; pass seconds > 0 or a timedelta"),
    ("interval nan", lambda: factory().leaky("l", 1, math.nan),
     "limiters(sim).leaky(interval)=nan: not a finite number"),
    ("interval bool", lambda: factory().points("p", 1, True),
     "limiters(sim).points(interval)=True: a bool, not a number; pass seconds > 0"),
    ("wait_timeout negative", lambda: factory().concurrent("c", 1, wait_timeout=-1),
     "limiters(sim).concurrent(wait_timeout)=-1: out of range; pass seconds >= 0"),
    ("wait_timeout text", lambda: factory().bucket("b", 1, "second", wait_timeout="5"),
     "limiters(sim).bucket(wait_timeout)='5': a str, not a number"),
    ("lock_timeout zero", lambda: factory().concurrent("c", 1, lock_timeout=0),
     "limiters(sim).concurrent(lock_timeout)=0: out of range; pass seconds > 0"),
    ("lock_timeout inf", lambda: factory().concurrent("c", 1, lock_timeout=math.inf),
     "limiters(sim).concurrent(lock_timeout)=inf: not a finite number"),
    ("lock_timeout on a bucket", lambda: factory().bucket("b", 1, 60, lock_timeout=5),
     "limiters(sim).bucket: unknown option lock_timeout=5; options are wait_timeout, backoff, "
     "reschedule, ttl"),
    ("option typo", lambda: factory().window("w", 1, 60, wait_timout=5),
     "limiters(sim).window: unknown option wait_timout=5; did you mean 'wait_timeout'"),
    ("backoff not callable", lambda: factory().leaky("l", 1, 60, backoff=30),
     "limiters(sim).leaky(backoff)=30: pass a callable (limiter, job, exception) -> seconds"),
    ("reschedule negative", lambda: factory().concurrent("c", 1, reschedule=-1),
     "limiters(sim).concurrent(reschedule)=-1: pass a whole number >= 0"),
    ("reschedule float", lambda: factory().points("p", 5, 60, reschedule=2.0),
     "limiters(sim).points(reschedule)=2.0: pass a whole number >= 0"),
    ("ttl zero", lambda: factory().window("w", 1, 60, ttl=0),
     "limiters(sim).window(ttl)=0: out of range; pass seconds > 0"),
    ("used zero", lambda: _use(factory().bucket("b", 5, 60), 0),
     "Limiter.bucket('b', 5, 60, wait_timeout=5).within_limit(used)=0: pass a whole number >= 1"),
    ("used over the limit", lambda: _use(factory().points("p", 5, 60), 6),
     "within_limit(used)=6: more than the limit never fits; pass at most 5"),
    ("used on concurrent", lambda: _use(factory().concurrent("c", 5), 2),
     "within_limit(used)=2: a concurrent limiter counts blocks; pass 1"),
    ("used on leaky", lambda: _use(factory().leaky("l", 5, 60), 2),
     "within_limit(used)=2: a leaky limiter counts blocks; pass 1"),
    ("plugin reschedule", lambda: Limiters(reschedule=-1),
     "Limiters(reschedule)=-1: pass a whole number >= 0"),
    ("plugin backoff", lambda: Limiters(backoff=_bad("300")),
     "Limiters(backoff)='300': pass a callable (limiter, job, exception) -> seconds"),
    ("plugin key_prefix", lambda: Limiters(key_prefix=" "),
     "Limiters(key_prefix)=' ': pass a non-empty prefix (str)"),
    ("plugin errors text", lambda: Limiters(errors=_bad("Timeout")),
     "Limiters(errors)='Timeout': pass a list of exception classes"),
    ("plugin errors item", lambda: Limiters(errors=_bad([int])),
     "Limiters(errors)=<class 'int'>: pass exception classes only"),
    ("errors append", lambda: _errors().append(ValueError("x")),
     "limiter_errors(sim).append(klass)=ValueError('x'): pass an exception class"),
    ("errors remove", lambda: _errors().remove(KeyError),
     "limiter_errors(sim).remove(<class 'KeyError'>): not in the list; it holds OverLimit"),
    ("no plugin", lambda: limiters(jobsim.Simulator()),
     "limiters(sim): <Simulator"),
]  # fmt: skip


def _use(limiter: Any, used: int) -> None:
    with limiter.within_limit(used=used):
        pass


def _errors() -> Any:
    return limiter_errors(jobsim.Simulator(plugins=[Limiters()]))


@pytest.mark.parametrize(("case", "call", "message"), CASES, ids=[case[0] for case in CASES])
def test_a_bad_value_is_refused_where_it_enters(
    case: str, call: Callable[[], Any], message: str
) -> None:
    with pytest.raises(jobsim.JobsimError, match=re.escape(message)):
        call()


def test_a_backoff_returning_no_seconds_fails_the_job_saying_so() -> None:
    sim = jobsim.Simulator(start=START, plugins=[Limiters()])
    full = limiters(sim).bucket("full", 1, "day", wait_timeout=0, backoff=lambda *_: math.nan)
    with full.within_limit():
        pass

    class Bad(jobsim.Job):
        def perform(self) -> None:
            with full.within_limit():
                pass

    with sim:
        Bad.set(retry=False).perform_async()
    sim.run_until(START)
    failed = sim.trace.of_kind("failed")
    assert [event.detail["error_class"] for event in failed] == ["jobsim.errors.InvalidArgument"]
    assert (
        failed[0]
        .detail["error_message"]
        .startswith("the limiter's backoff(limiter, job, error) returned=nan: not a finite number")
    )
