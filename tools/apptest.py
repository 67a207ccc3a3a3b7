"""What an AppTest run sent: the tests search it for text a role must not receive."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def serialised(at: AppTest) -> bytes:
    """Every element of the last run (main area and sidebar, tables included) as the browser receives it:
    protobuf bytes."""
    chunks, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
        stack.extend(getattr(node, "children", {}).values())
    return b"\n".join(chunks)
