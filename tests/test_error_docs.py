"""docs/reference/errors.md names every error class jobsim defines and every input limit.

``tests/test_reference_docs.py`` checks ``jobsim.errors.__all__``; this walks further: every
subclass of ``JobsimError`` defined in any jobsim module (the adapters' own errors and
warnings included), and every limit in the page's table, which must be a real constant with
the value the table gives.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import jobsim
from jobsim.errors import JobsimError

PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "errors.md"


def jobsim_error_classes() -> list[type[BaseException]]:
    for module in pkgutil.walk_packages(jobsim.__path__, "jobsim."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[BaseException]] = []
    pending: list[type[BaseException]] = [JobsimError]
    while pending:
        subclasses: list[type[BaseException]] = pending.pop().__subclasses__()
        for sub in subclasses:
            if sub not in found and sub.__module__.startswith("jobsim"):
                found.append(sub)
                pending.append(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


@pytest.mark.parametrize(
    "error", jobsim_error_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}"
)
def test_every_error_class_is_on_the_page(error: type[BaseException]) -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert re.search(rf"\b{error.__name__}\b", text), f"{error.__name__} is not in errors.md"


#: The limits the page's table names, and the values it gives them.
LIMITS = {
    "jobsim.yaml_input.MAX_YAML_BYTES": 1_000_000,
    "jobsim.yaml_input.MAX_YAML_DEPTH": 64,
    "jobsim.yaml_input.MAX_YAML_NODES": 100_000,
    "jobsim.payload.JSON_MAX_NESTING": 100,
    "jobsim.redis.DEFAULT_MAX_MEMBER_BYTES": 4 * 1024 * 1024,
    "jobsim.cron.TAKE_LIMIT": 100_000,
    "jobsim.simulator.DEFAULT_MAX_STEPS": 1_000_000,
}


def test_the_limits_table_names_real_constants_with_their_values() -> None:
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("## Limits on untrusted input") :]
    named = set(re.findall(r"^\| `(jobsim\.[\w.]+)`", section, flags=re.MULTILINE))
    assert named >= set(LIMITS)
    for dotted, value in LIMITS.items():
        module, _, name = dotted.rpartition(".")
        assert getattr(importlib.import_module(module), name) == value, dotted
