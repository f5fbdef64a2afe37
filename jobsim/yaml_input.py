"""Reading YAML someone else wrote (layer 1): safe tags only, and bounded.

``config/sidekiq.yml`` and ``config/schedule.yml`` come from a repository, a scenario folder or
a colleague's message, so jobsim reads them as untrusted text: PyYAML's safe loader (no Python
objects, no code), and three limits checked **before** anything is built from the text, each a
named constant with its own message:

=========================  ========================================================
:data:`MAX_YAML_BYTES`     the size of the text (1,000,000 bytes)
:data:`MAX_YAML_DEPTH`     how deeply lists and mappings nest (64 levels)
:data:`MAX_YAML_NODES`     the values the document holds once every alias (``*name``)
                           is followed (100,000): an "alias bomb" of nine aliases of
                           nine aliases is 387 million values from 1 KB of text
=========================  ========================================================

An alias that refers to a node containing itself is refused too: a config cannot hold
itself. Each refusal is an :class:`~jobsim.errors.InvalidArgument` naming the file.
"""

from __future__ import annotations

from typing import Any

from jobsim.errors import InvalidArgument

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_DEPTH", "MAX_YAML_NODES", "load_yaml"]

#: The most bytes of YAML jobsim reads: a real sidekiq.yml or schedule.yml is a few KB.
MAX_YAML_BYTES = 1_000_000
#: The deepest nesting of lists and mappings: real configs nest three or four levels.
MAX_YAML_DEPTH = 64
#: The most values a document may hold with its aliases expanded.
MAX_YAML_NODES = 100_000


def load_yaml(text: str, *, source: str) -> Any:
    """The data of the YAML ``text`` (safe tags only), or ``InvalidArgument`` naming ``source``.

    Refuses text over :data:`MAX_YAML_BYTES`, nesting past :data:`MAX_YAML_DEPTH`, documents
    holding more than :data:`MAX_YAML_NODES` values once aliases are followed, aliases that
    contain themselves, and text that is not YAML. Needs PyYAML (``pip install
    'jobsim[yaml]'``).
    """
    try:
        import yaml
    except ImportError as missing:  # pragma: no cover - yaml ships with the dev extra
        msg = f"reading {source} needs PyYAML: pip install 'jobsim[yaml]'"
        raise InvalidArgument(msg) from missing
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        msg = (
            f"{source}: {size} bytes, more than the {MAX_YAML_BYTES} jobsim reads from a YAML "
            f"file (MAX_YAML_BYTES); pass the config file itself"
        )
        raise InvalidArgument(msg)
    try:
        loader = _bounded_loader(yaml)(text, source)  # its reader refuses odd characters
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        msg = f"{source} is not valid YAML: {' '.join(str(error).split())}"  # one line
        raise InvalidArgument(msg) from None


def _bounded_loader(yaml: Any) -> Any:
    """A SafeLoader that counts depth while composing and expanded size before constructing.

    Made on first use so importing jobsim does not need PyYAML.
    """

    class BoundedLoader(yaml.SafeLoader):  # type: ignore[misc]
        def __init__(self, text: str, source: str) -> None:
            super().__init__(text)
            self.source = source
            self.depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                return super().compose_node(parent, index)
            self.depth += 1
            try:
                if self.depth > MAX_YAML_DEPTH:
                    line = self.peek_event().start_mark.line + 1
                    msg = (
                        f"{self.source}: nested more than {MAX_YAML_DEPTH} levels deep at line "
                        f"{line} (MAX_YAML_DEPTH); a config nests a few levels: check its "
                        f"indentation and brackets"
                    )
                    raise InvalidArgument(msg)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            _check_expanded_size(yaml, node, self.source)
            return self.construct_document(node)

    return BoundedLoader


def _check_expanded_size(yaml: Any, root: Any, source: str) -> None:
    """Refuse a node graph holding more than MAX_YAML_NODES values with aliases followed, or
    nesting past MAX_YAML_DEPTH through them.

    An alias shares its anchor's node object, so the graph is walked once per distinct node
    (size and height memoised by identity): the expanded total is computed without expanding
    anything, and the walk itself never recurses deeper than MAX_YAML_DEPTH.
    """
    measured: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def too_deep(node: Any) -> InvalidArgument:
        line = node.start_mark.line + 1
        return InvalidArgument(
            f"{source}: nested more than {MAX_YAML_DEPTH} levels deep once its aliases are "
            f"followed, at line {line} (MAX_YAML_DEPTH); a config nests a few levels: check "
            f"its aliases (*name)"
        )

    def measure(node: Any, level: int) -> tuple[int, int]:
        key = id(node)
        known = measured.get(key)
        if known is not None:
            if level - 1 + known[1] > MAX_YAML_DEPTH:
                raise too_deep(node)
            return known
        if key in open_nodes:
            line = node.start_mark.line + 1
            msg = (
                f"{source}: an alias refers to the node that contains it (the anchor at line "
                f"{line}); a config cannot hold itself: copy the values instead"
            )
            raise InvalidArgument(msg)
        if level > MAX_YAML_DEPTH:
            raise too_deep(node)
        open_nodes.add(key)
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        total, height = 1, 1
        for child in children:
            size, child_height = measure(child, level + 1)
            total += size
            height = max(height, child_height + 1)
        open_nodes.discard(key)
        if total > MAX_YAML_NODES:
            msg = (
                f"{source}: holds more than {MAX_YAML_NODES} values once its aliases (*name) "
                f"are followed (MAX_YAML_NODES), as an alias bomb does; write the values out "
                f"or use fewer aliases"
            )
            raise InvalidArgument(msg)
        measured[key] = (total, height)
        return total, height

    measure(root, 1)
