"""The buffer-built Arrow arrays equal what ``pa.array`` makes of the same values (nulls, non-ASCII text, empty)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from callops.arrow_arrays import array_of, bool_array, float_array, int_array, text_array

CASES: list[tuple[list[Any], Any]] = [
    ([3, None, -7, 2**40], pa.int64()),
    ([1, 2, 3], pa.int64()),
    ([0.5, None, 2.0, -1.25], pa.float64()),
    ([12, 0.25], pa.float64()),  # an int among floats reads as a float
    ([True, None, False, True, True, False, True, False, True], pa.bool_()),
    (["support", None, "", "sales"], pa.string()),
    (["客服", "support", None, "Zoë"], pa.string()),  # not ASCII: encoded value by value
    (["a" * 300, "b"], pa.large_string()),
    ([None, None], pa.string()),  # a column no row fills
    ([None, None, None], pa.int64()),
    ([None], pa.bool_()),
    ([], pa.string()),
    ([], pa.int64()),
]


@pytest.mark.parametrize(("values", "kind"), CASES)
def test_array_of_equals_pa_array(values: list[Any], kind: Any) -> None:
    built = array_of(values, kind)
    built.validate(full=True)
    assert built.type == kind
    assert built.null_count == values.count(None)
    assert built.equals(pa.array(values, type=kind))
    assert built.to_pylist() == values


def test_numpy_builders_take_a_null_mask() -> None:
    mask = np.array([False, True, False])
    assert int_array(np.array([1, 2, 3]), mask).to_pylist() == [1, None, 3]
    assert float_array(np.array([1.5, 2.0, 3.0]), mask).to_pylist() == [1.5, None, 3.0]
    assert bool_array(np.array([True, True, False]), mask).to_pylist() == [True, None, False]
    assert int_array(np.array([1, 2]), np.array([False, False])).null_count == 0


def test_text_array_offsets_are_bytes_not_characters() -> None:
    texts = ["坐席", "a", "émile"]
    large = text_array(texts)
    small = text_array(texts, large=False)
    assert large.type == pa.large_string() and small.type == pa.string()
    assert large.to_pylist() == small.to_pylist() == texts
    offsets: Any = large.buffers()[1]
    assert np.frombuffer(offsets, dtype=np.int64).tolist() == [0, 6, 7, 13]


def test_building_imports_no_pandas() -> None:
    code = ("import sys; from callops.arrow_arrays import array_of; import pyarrow as pa; "
            "array_of(['x', None], pa.string()); array_of([1, None], pa.int64()); "
            "array_of([True, None], pa.bool_()); print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "False"
