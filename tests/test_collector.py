"""Pausing the cycle collector: state restored, and what was built still collectable."""

from __future__ import annotations

import gc
import weakref

from threatmodel.collector import no_cycle_collection


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_the_collector_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with no_cycle_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_cycles_built_inside_are_collected_later_and_nothing_is_left_frozen():
    with no_cycle_collection():
        node = Node()
        ref = weakref.ref(node)
    assert gc.get_freeze_count() == 0
    del node
    gc.collect()
    assert ref() is None
