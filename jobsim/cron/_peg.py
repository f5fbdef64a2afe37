"""A tiny PEG engine with raabro's semantics (layer 2), for Fugit's natural-language grammar.

Fugit writes its grammars with raabro, whose combinators differ from textbook PEG in ways that
decide what a phrase means, so they are kept exactly:

* a regular expression matches at the cursor only (the leftmost match must start there);
* ``seq`` never backtracks into a part that succeeded; ``?`` and ``*`` are greedy and stop at
  an empty match;
* ``alt`` takes the first alternative that succeeds, not the longest;
* ``jseq`` (element, separator, element, ...) gives back a separator that no element follows,
  and fails on two empty matches in a row;
* the whole text must be consumed.

Only successful nodes are kept (raabro prunes the failed ones); ``gather`` and ``lookup`` find
named nodes as raabro's ``subgather`` / ``sublookup`` do.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["Node", "Peg", "Rule"]


class Node:
    """A successful match: a name (or None), a span of the text, and its child matches."""

    __slots__ = ("children", "end", "name", "start", "text")

    def __init__(
        self, name: str | None, text: str, start: int, end: int, children: list[Node]
    ) -> None:
        self.name = name
        self.text = text
        self.start = start
        self.end = end
        self.children = children

    @property
    def string(self) -> str:
        return self.text[self.start : self.end]

    @property
    def strinp(self) -> str:
        """The matched text without surrounding white space (Ruby's ``strip``)."""
        return self.string.strip(" \t\n\v\f\r\0")

    def lookup(self, name: str | None = None) -> Node | None:
        if self.name is not None and (name is None or self.name == name):
            return self
        return self.sublookup(name)

    def sublookup(self, name: str | None = None) -> Node | None:
        for child in self.children:
            found = child.lookup(name)
            if found is not None:
                return found
        return None

    def gather(self, name: str | None, acc: list[Node]) -> list[Node]:
        if self.name is not None and (name is None or self.name == name):
            acc.append(self)
        else:
            self.subgather(name, acc)
        return acc

    def subgather(self, name: str | None = None, acc: list[Node] | None = None) -> list[Node]:
        out: list[Node] = [] if acc is None else acc
        for child in self.children:
            child.gather(name, out)
        return out


Rule = Callable[[int], "Node | None"]
_QUANTIFIERS = {"?": (0, 1), "*": (0, None), "+": (1, None)}


class Peg:
    """Combinators over one input text; a grammar subclasses it with one method per rule."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def rex(self, name: str | None, pos: int, regex: re.Pattern[str]) -> Node | None:
        match = regex.match(self.text[pos:])
        if match is None:
            return None
        return Node(name, self.text, pos, pos + match.end(), [])

    def str_(self, name: str | None, pos: int, literal: str) -> Node | None:
        if not self.text.startswith(literal, pos):
            return None
        return Node(name, self.text, pos, pos + len(literal), [])

    def seq(self, name: str | None, pos: int, *parts: Rule | str) -> Node | None:
        children: list[Node] = []
        cursor = pos
        index = 0
        while index < len(parts):
            rule = parts[index]
            assert callable(rule)
            quantifier = parts[index + 1] if index + 1 < len(parts) else None
            if isinstance(quantifier, str):
                index += 2
                low, high = _QUANTIFIERS[quantifier]
                count = 0
                while True:
                    node = rule(cursor)
                    if node is None:
                        break
                    children.append(node)
                    cursor = node.end
                    count += 1
                    if node.end == node.start or (high is not None and count == high):
                        break
                if count < low:
                    return None
            else:
                index += 1
                node = rule(cursor)
                if node is None:
                    return None
                children.append(node)
                cursor = node.end
        return Node(name, self.text, pos, cursor, children)

    def alt(self, name: str | None, pos: int, *rules: Rule) -> Node | None:
        for rule in rules:
            node = rule(pos)
            if node is not None:
                return Node(name, self.text, pos, node.end, [node])
        return None

    def jseq(self, name: str | None, pos: int, element: Rule, separator: Rule) -> Node | None:
        children: list[Node] = []
        cursor = pos
        on_element = False
        empties = 0
        count = 0
        while True:
            on_element = not on_element
            node = (element if on_element else separator)(cursor)
            empties = empties + 1 if node is not None and node.end == node.start else 0
            if empties > 1:
                node = None
            if node is None:
                if on_element and count > 0:
                    cursor = children.pop().start  # give the dangling separator back
                break
            children.append(node)
            cursor = node.end
            count += 1
        if count < 1:
            return None
        return Node(name, self.text, pos, cursor, children)

    def ren(self, name: str, pos: int, rule: Rule) -> Node | None:
        node = rule(pos)
        if node is not None:
            node.name = name
        return node

    def all_(self, rule: Rule) -> Node | None:
        """The root rule, which must consume the whole text."""
        node = rule(0)
        if node is None or node.end < len(self.text):
            return None
        return node
