"""A simulated Sidekiq state saved into Redis, inspected raw, loaded back and run forward.

A small shop enqueues receipts, a reminder for tomorrow and a charge against a flaky payment
gateway; the simulator runs what is due, so the charge fails into the retry set and a refund
with ``retry=0`` goes straight to the dead set. ``jobsim.redis.save_state`` writes that state in
Sidekiq's key layout (here into fakeredis; a ``redis.Redis`` to a real server is the same code,
and Sidekiq's API and Web UI can then read it). The script prints the raw keys as
``redis-cli`` would show them, loads them into a fresh simulator with ``load_state`` (nothing is
lost: the snapshots are equal), and, with the gateway back up, runs that simulator two days forward:
the retry succeeds, tomorrow's reminder is sent, the dead refund stays dead.

Run it: ``python examples/redis_round_trip.py``
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jobsim
from jobsim.redis import fake_redis, load_state, save_state, snapshot

GATEWAY = {"up": False}  # the payment gateway is down while the state is built


class SendReceipt(jobsim.Job, queue="mailers"):
    def perform(self, order_id: int) -> None: ...


class ChargeCard(jobsim.Job):
    def perform(self, order_id: int) -> None:
        if not GATEWAY["up"]:
            msg = f"gateway timeout for order {order_id}"
            raise TimeoutError(msg)


class Refund(jobsim.Job, queue="payments", retry=0):
    def perform(self, order_id: int) -> None:
        msg = f"refund of order {order_id} rejected"
        raise ValueError(msg)


JOBS = (SendReceipt, ChargeCard, Refund)


def build() -> jobsim.Simulator:
    sim = jobsim.Simulator(seed=7, profile="sidekiq-6.4")
    with sim:
        ChargeCard.perform_async(1001)
        Refund.perform_async(1000)
    sim.run_due()  # the charge fails into the retry set; the refund dies at once
    with sim:
        SendReceipt.perform_async(1001)
        SendReceipt.perform_async(1002)
        SendReceipt.perform_in(86400, 1003)  # a reminder, tomorrow
    return sim


def show_keys(redis: Any) -> None:
    print("raw keys, as redis-cli shows them:")
    for key in sorted(k.decode() for k in redis.scan_iter()):
        kind = redis.type(key).decode()
        if kind == "set":
            print(f"  {key:<28} set    {sorted(m.decode() for m in redis.smembers(key))}")
        elif kind == "list":
            members = [json.loads(m) for m in redis.lrange(key, 0, -1)]
            shown = [f"{m['class']}{m['args']}" for m in members]
            print(f"  {key:<28} list   {shown}  (LRANGE: newest first)")
        elif kind == "zset":
            for member, score in redis.zrange(key, 0, -1, withscores=True):
                job = json.loads(member)
                when = datetime.fromtimestamp(score, UTC)
                extra = f" retry_count={job['retry_count']}" if "retry_count" in job else ""
                print(
                    f"  {key:<28} zset   {job['class']}{job['args']} "
                    f"score={score:.1f} ({when:%Y-%m-%d %H:%M:%S}){extra}"
                )
        else:
            print(f"  {key:<28} string {redis.get(key).decode()}")


def main() -> None:
    sim = build()
    redis = fake_redis()
    written = save_state(sim, redis)
    print(f"saved {written.job_count} jobs: processed={written.processed} failed={written.failed}")
    show_keys(redis)

    copy = jobsim.Simulator(seed=7, profile="sidekiq-6.4", start=sim.time)
    for job in JOBS:
        copy.register(job)
    report = load_state(redis, copy)
    print(f"loaded {report.total} jobs: {report.counts}")
    again = snapshot(copy)
    print(f"lossless: {(again.queues, again.sets) == (written.queues, written.sets)}")

    GATEWAY["up"] = True
    copy.advance(2 * 86400)
    kinds = [event.kind for event in copy.trace if event.kind != "restored"]
    print(
        f"two days later: {copy.stats.as_dict()['processed']} processed, "
        f"{kinds.count('succeeded')} succeeded, {kinds.count('failed')} failed"
    )
    print(
        f"queued={sum(copy.queue(n).size for n in copy.queues)} scheduled={len(copy.scheduled)} "
        f"retry={len(copy.retries)} dead={[e.klass for e in copy.dead]}"
    )


if __name__ == "__main__":
    main()
