"""The page cache's LRU: bounded, least recently used out first, size 0 keeps nothing."""

from __future__ import annotations

from voicebox.page_cache import LruCache


def test_the_cache_keeps_at_most_its_size_and_drops_the_least_recently_used():
    cache: LruCache[str] = LruCache(size=2)
    built: list[str] = []

    def build(key: str):
        return lambda: built.append(key) or key.upper()

    assert cache.get_or_build("a", build("a")) == "A"
    cache.get_or_build("b", build("b"))
    cache.get_or_build("a", build("a"))  # a hit: "a" is now the most recent
    cache.get_or_build("c", build("c"))  # evicts "b"
    assert len(cache) == 2
    cache.get_or_build("a", build("a"))
    cache.get_or_build("b", build("b"))
    assert built == ["a", "b", "c", "b"]


def test_size_zero_builds_every_time():
    cache: LruCache[int] = LruCache(size=0)
    calls = []
    for _ in range(3):
        cache.get_or_build("k", lambda: calls.append(1) or 1)
    assert len(calls) == 3 and len(cache) == 0
