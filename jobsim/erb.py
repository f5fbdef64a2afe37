"""ERB in configuration files (layer 1): the safe subset people put in ``sidekiq.yml``.

Sidekiq renders ``config/sidekiq.yml`` with ERB before reading the YAML, and by far the most
common use is an environment variable with a default::

    :concurrency: <%= ENV.fetch('SIDEKIQ_CONCURRENCY', 10) %>

jobsim evaluates exactly these forms inside ``<%= ... %>`` and nothing else, so a config file
never runs code:

* ``ENV['X']`` (``nil``, rendered empty, when unset), ``ENV.fetch('X')`` (an error when unset),
  ``ENV.fetch('X', literal)``, ``ENV.fetch('X') { literal }``, ``ENV['X'] || literal``;
* literals: strings in single or double quotes, integers, floats, ``true``, ``false``, ``nil``;
* ``.to_i``, ``.to_f`` and ``.to_s`` after any of these, and parentheses.

Any other tag (``<% ... %>``, ``<%# ... %>``) or expression is refused with its line and column.
The variables come from an explicit mapping, so a run is reproducible; :func:`render` returns
the names it read and their values so that a caller can show them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from jobsim.errors import InvalidArgument

__all__ = ["Rendered", "render"]

_TAG = re.compile(r"<%(?P<kind>[=#-]?)(?P<body>.*?)-?%>", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_]\w*)
      | (?P<op>\|\||[.\[\](){},])
    )""",
    re.VERBOSE,
)
_SUPPORTED = (
    "ENV['X'], ENV.fetch('X'), ENV.fetch('X', default), ENV.fetch('X') { default }, "
    "ENV['X'] || default, literals, .to_i/.to_f/.to_s"
)

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Rendered:
    """The rendered text and the environment variables it read (name -> value or None)."""

    text: str
    variables: dict[str, str | None] = field(default_factory=dict)


class _Refused(Exception):
    """An expression outside the safe subset; the caller adds the position."""


class _Expression:
    """A recursive-descent reader of one ``<%= ... %>`` body."""

    def __init__(self, body: str, env: Mapping[str, str], read: dict[str, str | None]) -> None:
        self._tokens = self._tokenize(body)
        self._at = 0
        self._env = env
        self._read = read

    @staticmethod
    def _tokenize(body: str) -> list[tuple[str, str]]:
        tokens, at = [], 0
        while at < len(body):
            if body[at:].strip() == "":
                break
            match = _TOKEN.match(body, at)
            if match is None or match.lastgroup is None:
                raise _Refused(f"unexpected {body[at:].strip()[:20]!r}")
            tokens.append((match.lastgroup, match[match.lastgroup]))
            at = match.end()
        return tokens

    def value(self) -> Value:
        result = self._alternative()
        if self._at != len(self._tokens):
            raise _Refused(f"unexpected {self._tokens[self._at][1]!r}")
        return result

    def _peek(self, text: str) -> bool:
        return self._at < len(self._tokens) and self._tokens[self._at][1] == text

    def _take(self, text: str | None = None, kind: str | None = None) -> str:
        if self._at >= len(self._tokens):
            raise _Refused("the expression ends too early")
        token_kind, token = self._tokens[self._at]
        if (text is not None and token != text) or (kind is not None and token_kind != kind):
            raise _Refused(f"unexpected {token!r}")
        self._at += 1
        return token

    def _alternative(self) -> Value:
        left = self._postfix()
        if self._peek("||"):
            self._take("||")
            right = self._alternative()
            return right if left is None or left is False else left
        return left

    def _postfix(self) -> Value:
        value = self._primary()
        while self._peek("."):
            self._take(".")
            value = _convert(value, self._take(kind="name"))
        return value

    def _primary(self) -> Value:
        if self._peek("("):
            self._take("(")
            value = self._alternative()
            self._take(")")
            return value
        if self._peek("ENV"):
            return self._env_lookup()
        return self._literal()

    def _env_lookup(self) -> Value:
        self._take("ENV")
        if self._peek("["):
            self._take("[")
            name = _unquote(self._take(kind="string"))
            self._take("]")
            return self._lookup(name)
        self._take(".")
        self._take("fetch")
        self._take("(")
        name = _unquote(self._take(kind="string"))
        default: Value = None
        has_default = False
        if self._peek(","):
            self._take(",")
            default, has_default = self._literal(), True
        self._take(")")
        if not has_default and self._peek("{"):
            self._take("{")
            default, has_default = self._literal(), True
            self._take("}")
        value = self._lookup(name)
        if value is None:
            if not has_default:
                raise _Refused(f"ENV.fetch({name!r}): {name} is not set and has no default")
            return default
        return value

    def _lookup(self, name: str) -> str | None:
        value = self._env.get(name)
        self._read[name] = value
        return value

    def _literal(self) -> Value:
        kind, token = self._tokens[self._at] if self._at < len(self._tokens) else ("", "")
        if kind == "string":
            self._at += 1
            return _unquote(token)
        if kind == "number":
            self._at += 1
            return float(token) if "." in token else int(token)
        if token in ("true", "false", "nil"):
            self._at += 1
            return {"true": True, "false": False, "nil": None}[token]
        raise _Refused(f"unexpected {token!r}" if token else "the expression ends too early")


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def _convert(value: Value, method: str) -> Value:
    """Ruby's ``to_i``/``to_f``/``to_s``: leading digits, else 0; ``nil`` is 0 or ``""``."""
    text = _to_s(value)
    if method == "to_s":
        return text
    if method == "to_i":
        match = re.match(r"\s*([-+]?\d+)", text)
        return int(match[1]) if match else 0
    if method == "to_f":
        match = re.match(r"\s*([-+]?\d+(?:\.\d+)?)", text)
        return float(match[1]) if match else 0.0
    raise _Refused(f"unsupported method .{method}")


def _to_s(value: Value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    return str(value)


def render(text: str, env: Mapping[str, str], *, source: str = "file") -> Rendered:
    """``text`` with each ``<%= ... %>`` replaced by its value, as ERB renders it.

    Raises :class:`~jobsim.errors.InvalidArgument` naming the line and column of a tag outside
    the safe subset, or of an ``ENV.fetch`` without a default whose variable is not set.
    """
    read: dict[str, str | None] = {}
    out: list[str] = []
    done = 0
    for match in _TAG.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        where = f"{source}, line {line}, column {column}"
        if match["kind"] != "=":
            msg = (
                f"{where}: {match[0].strip()[:40]!r} is ERB that jobsim does not evaluate; "
                f"only <%= %> with {_SUPPORTED}. Render the file first, or pass the values yourself"
            )
            raise InvalidArgument(msg)
        try:
            value = _Expression(match["body"], env, read).value()
        except _Refused as refused:
            msg = (
                f"{where}: <%={match['body']}%>: {refused}; jobsim evaluates only {_SUPPORTED}. "
                f"Render the file first, or pass the values yourself"
            )
            raise InvalidArgument(msg) from None
        out.append(text[done : match.start()])
        out.append(_to_s(value))
        done = match.end()
    out.append(text[done:])
    return Rendered("".join(out), dict(sorted(read.items())))
