"""A plugin chosen per simulator, its state kept on the simulator, and enqueues from a thread pool.

``AuditLog`` is a small plugin: it honours an ``audited`` job option, adds a server middleware
to the simulator it is installed on, and keeps that simulator's log in ``sim.stash``. Two
simulators share one plugin object but not a single log line. A thread pool enqueues into the
simulator that is active in the submitting thread, because each call runs in a copy of its
context; and a simulator without the plugin warns that nothing there honours ``audited``.

Run: ``python examples/plugin_per_simulator.py``
"""

from __future__ import annotations

import contextvars
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import jobsim

LOG = jobsim.StashKey[list[str]]("audit log")


def audited_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("pass True or False")
    return value


class Audit:
    """Server middleware: writes a line for each audited job into the log it was given."""

    job_options: ClassVar[dict[str, Any]] = {"audited": audited_flag}

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def call(self, job: Any, payload: dict[str, Any], queue: str, call_next: Any) -> Any:
        if payload.get("audited"):
            self.log.append(f"{payload['class']}{tuple(payload['args'])}")
        return call_next()


class AuditLog:
    """The plugin: configuration on the object, state on each simulator."""

    name = "audit_log"
    honours = ("audited",)

    def install(self, sim: jobsim.Simulator) -> None:
        log: list[str] = []
        sim.stash[LOG] = log
        sim.server_middleware.add(Audit, log)


class Refund(jobsim.Job, options_from=(Audit,), audited=True):
    def perform(self, order_id: int) -> None:
        pass


def checkout(order_id: int) -> None:
    Refund.perform_async(order_id)


def main() -> None:
    plugin = AuditLog()
    shop, warehouse = jobsim.Simulator(plugins=[plugin]), jobsim.Simulator(plugins=[plugin])
    with shop, ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(contextvars.copy_context().run, checkout, n) for n in (1, 2, 3)]
        for future in futures:
            future.result()
    with warehouse:
        checkout(99)
    print(f"shop ran {shop.drain()} jobs, warehouse ran {warehouse.drain()}")
    print(f"shop's audit log: {sorted(shop.stash[LOG])}")
    print(f"warehouse's audit log: {warehouse.stash[LOG]}")

    bare = jobsim.Simulator()
    with warnings.catch_warnings(record=True) as caught, bare:
        warnings.simplefilter("always")
        checkout(7)
    print(f"without the plugin: {caught[0].message}")


if __name__ == "__main__":
    main()
