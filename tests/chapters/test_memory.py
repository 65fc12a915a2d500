"""The memory chapter: its demo blocks are valid and pre-render with their defaults."""

from tests.chapters.helpers import assert_chapter_demos_run


def test_memory_demos_run():
    assert_chapter_demos_run("memory.md")
