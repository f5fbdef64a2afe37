"""ActiveJob arguments through jobsim: round trips, per-version forms, GlobalID and errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import jobsim
from jobsim.active_job import (
    ActiveJob,
    DeserializationError,
    GlobalID,
    Keywords,
    ObjectSerializer,
    SerializationError,
    Symbol,
    deserialize_arguments,
    serialize_arguments,
    settings,
)
from jobsim.errors import JobsimError

SEEN: list[Any] = []


class Money:
    def __init__(self, cents: int, currency: str) -> None:
        self.cents = cents
        self.currency = currency

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and (other.cents, other.currency) == (
            self.cents,
            self.currency,
        )

    __hash__ = None  # type: ignore[assignment]


class MoneySerializer(ObjectSerializer):
    name = "MoneySerializer"
    klass = Money

    def serialize_fields(self, value: Any) -> dict[str, Any]:
        return {"cents": value.cents, "currency": value.currency}

    def deserialize(self, data: dict[str, Any]) -> Any:
        return Money(data["cents"], data["currency"])


class Record:
    def __init__(self, id: int | None) -> None:
        self.id = id

    def to_global_id(self) -> str:
        return f"gid://app/Record/{self.id}" if self.id is not None else "gid://app/Record/"


class EchoJob(ActiveJob):
    def perform(self, *args: Any, **kwargs: Any) -> None:
        SEEN.append((args, kwargs))


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


VALUES = [
    Symbol("a"),
    {Symbol("k"): [1, {"x": Symbol("y")}]},
    datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC),
    datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")),
    date(2026, 2, 28),
    timedelta(days=3, hours=4),
]


@pytest.mark.parametrize("rails", ["6.1", "7.1", "8.0"])
def test_values_come_back_to_perform_as_they_went(rails: str) -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rails = rails
        EchoJob.perform_later(*VALUES, flag=Symbol("on"))
        sim.drain()
    ((args, kwargs),) = SEEN
    assert list(args) == VALUES
    assert [type(value) for value in args] == [type(value) for value in VALUES]
    # 7.1+ writes the zone's name; 6.1 reads the time back in the default zone (UTC here).
    assert args[3].tzinfo == (UTC if rails == "6.1" else ZoneInfo("Europe/Berlin"))
    assert kwargs == {"flag": "on"}
    assert isinstance(kwargs["flag"], Symbol)


def test_decimal_is_text_before_7_1_and_serialized_from_7_1() -> None:
    assert serialize_arguments([Decimal("2.50")], "a", modern=False) == ["2.50"]
    written = serialize_arguments([Decimal("2.50")], "a", modern=True)
    assert written == [
        {"_aj_serialized": "ActiveJob::Serializers::BigDecimalSerializer", "value": "2.50"}
    ]
    assert deserialize_arguments(written) == [Decimal("2.50")]


def test_time_with_zone_names_its_zone_from_7_1() -> None:
    moment = datetime(2026, 1, 1, tzinfo=ZoneInfo("America/New_York"))
    (old,) = serialize_arguments([moment], "a", modern=False)
    (new,) = serialize_arguments([moment], "a", modern=True)
    assert "time_zone" not in old
    assert new["time_zone"] == "America/New_York"
    assert new["value"] == "2026-01-01T00:00:00.000000000-05:00"


def test_keywords_are_a_ruby2_keywords_hash() -> None:
    (written,) = serialize_arguments([Keywords(a=1)], "a")
    assert written == {"a": 1, "_aj_ruby2_keywords": ["a"]}
    (back,) = deserialize_arguments([written])
    assert isinstance(back, Keywords)
    assert back == {"a": 1}


def test_custom_serializer_round_trips_and_is_asked_after_built_ins() -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).serializers.append(MoneySerializer())
        job = EchoJob.perform_later(Money(250, "EUR"))
        assert not isinstance(job, bool)
        (item,) = sim.queue("default").jobs
        assert item["args"][0]["arguments"] == [
            {"_aj_serialized": "MoneySerializer", "cents": 250, "currency": "EUR"}
        ]
        sim.drain()
    assert [((Money(250, "EUR"),), {})] == SEEN


def test_unsupported_and_naive_values_are_refused_where_they_enter() -> None:
    with jobsim.Simulator(seed=1):
        with pytest.raises(SerializationError, match=r"EchoJob arguments\[0\].*Money"):
            EchoJob.perform_later(Money(1, "EUR"))
        with pytest.raises(SerializationError, match="give the datetime a zone"):
            EchoJob.perform_later(datetime(2026, 1, 1))  # naive: the point of the test
        with pytest.raises(SerializationError, match="without an id"):
            EchoJob.perform_later(Record(None))
    assert issubclass(SerializationError, JobsimError)


def test_a_record_gone_raises_deserialization_error_inside_perform_now() -> None:
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).finders["Record"] = lambda id: None
        EchoJob.perform_later(Record(5))
        sim.drain()
        (dead,) = list(sim.dead)
        assert dead.job["error_class"] == "ActiveJob::DeserializationError"
        assert dead.job["error_message"] == (
            "Error while trying to deserialize arguments: Couldn't find Record with 'id'=5"
        )
    assert SEEN == []


def test_no_finder_says_how_to_register_one() -> None:
    sim = jobsim.Simulator(seed=1)
    data = [{"_aj_globalid": "gid://app/Record/1"}]
    with pytest.raises(DeserializationError, match=r"settings\(sim\).finders\['Record'\]"):
        deserialize_arguments(data, locate=settings(sim).locate, strict=True)


def test_helpers_show_an_unlocatable_global_id_as_itself() -> None:
    (value,) = deserialize_arguments([{"_aj_globalid": "gid://app/Record/1"}])
    assert value == GlobalID("app", "Record", 1)
    assert str(value) == "gid://app/Record/1"


def test_reserved_keys_are_refused_with_the_path() -> None:
    with pytest.raises(SerializationError, match=r"a\[0\]\['x'\]: Can't serialize a Hash"):
        serialize_arguments([{"x": {"_aj_serialized": 1}}], "a")


def test_negative_retry_jitter_is_taken_as_rails_takes_it() -> None:
    class Shaky(ActiveJob, retry_jitter=-0.5):
        def perform(self) -> None:
            raise TimeoutError

    Shaky.retry_on(TimeoutError, wait=10, attempts=2)
    with jobsim.Simulator(seed=1) as sim:
        settings(sim).rand = 0.5
        Shaky.perform_later()
        sim.perform_one()
        (retry,) = list(sim.scheduled)
    assert retry.score - sim.time == 10 - 0.5 * 10 * 0.5


def test_rescue_from_a_class_perform_now_never_rescues_is_refused() -> None:
    with pytest.raises(JobsimError, match="KeyboardInterrupt is not an Exception subclass"):
        EchoJob.rescue_from(KeyboardInterrupt, with_=lambda job, error: None)
