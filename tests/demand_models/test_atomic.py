"""Atomic writes: the old file or the new one, never half of one, with an ordinary file mode."""

from __future__ import annotations

import os
import stat

import pytest

from demand_models.atomic import write_atomic, write_text_atomic


def test_new_file_takes_the_mode_of_an_ordinary_file(tmp_path):
    mask = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "card.json", "{}")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644 and path.read_text() == "{}"


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = write_text_atomic(tmp_path / "results.csv", "old")

    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(path, fail)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["results.csv"]
