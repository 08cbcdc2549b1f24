"""Viewing events in PostgreSQL's binary COPY format, encoded with NumPy a block at a time.

A binary COPY row is a field count, then each field as a 4-byte length and its bytes,
all big-endian. Every column of an event has a fixed width except the viewer's segment
(region, age band, gender), whose bytes depend only on the segment: so a row is a fixed
77-byte record followed by the segment's bytes, and the rows of a block that share a
segment width are one structured NumPy array. Within a block, rows are grouped by that
width; blocks are small, so the table stays in time order to within a block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from audience.generators.viewing_plan import EventPlan, Ints

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # flags and header extension: none
TRAILER = b"\xff\xff"
COLUMNS = (
    "profile_id",
    "title_id",
    "started_at",
    "seconds_watched",
    "completed",
    "device",
    "client_event_id",
    "region",
    "age_band",
    "gender",
)
# PostgreSQL counts timestamps in microseconds from 2000-01-01 UTC.
POSTGRES_EPOCH_US = 946_684_800 * 1_000_000
Uuids = npt.NDArray[np.uint8]  # one row of 16 bytes per id

# (field name, value dtype); each value is preceded by its byte length.
_FIXED_FIELDS = [
    ("profile_id", ">i8"),
    ("title_id", ">i8"),
    ("started_at", ">i8"),
    ("seconds_watched", ">i4"),
    ("completed", "u1"),
    ("device", ">i2"),
    ("client_event_id", "V16"),
]


def client_event_ids(rng: np.random.Generator, count: int) -> Uuids:
    """Random version-4 UUIDs, as bytes."""
    ids = rng.integers(0, 256, (count, 16), dtype=np.uint8)
    ids[:, 6] = (ids[:, 6] & 0x0F) | 0x40
    ids[:, 8] = (ids[:, 8] & 0x3F) | 0x80
    return ids


def _segment_bytes(values: Sequence[str]) -> bytes:
    return b"".join(
        len(encoded).to_bytes(4, "big") + encoded for encoded in (v.encode() for v in values)
    )


def _record_dtype(segment_width: int) -> np.dtype[np.void]:
    fields: list[tuple[str, str]] = [("field_count", ">i2")]
    for name, value_type in _FIXED_FIELDS:
        fields += [(f"{name}_length", ">i4"), (name, value_type)]
    fields.append(("segment", f"V{segment_width}"))
    return np.dtype(fields)


class EventEncoder:
    """Encodes blocks of an EventPlan for `COPY audience_viewingevent (COLUMNS) ... BINARY`.

    `profile_ids` and `profile_segment` give each planned profile position its database
    id and the index of its (region, age band, gender) in `segments`.
    """

    def __init__(
        self, profile_ids: Ints, profile_segment: Ints, segments: Sequence[tuple[str, str, str]]
    ) -> None:
        self.profile_ids = profile_ids
        self.profile_segment = profile_segment
        encoded = [_segment_bytes(segment) for segment in segments]
        self.segment_width = np.array([len(value) for value in encoded], np.int64)
        self.segment_tables = {
            width: np.frombuffer(
                b"".join(value if len(value) == width else bytes(width) for value in encoded),
                dtype=f"V{width}",
            )
            for width in set(self.segment_width.tolist())
        }

    def encode(self, plan: EventPlan, start: int, ids: Uuids) -> bytes:
        """Rows start .. start + len(ids) of the plan, with these client event ids."""
        stop = start + len(ids)
        segment = self.profile_segment[plan.profile[start:stop]]
        width = self.segment_width[segment]
        blocks = []
        for segment_width in np.unique(width).tolist():
            rows = np.flatnonzero(width == segment_width)
            record = np.empty(len(rows), _record_dtype(segment_width))
            record["field_count"] = len(COLUMNS)
            for name, value_type in _FIXED_FIELDS:
                record[f"{name}_length"] = np.dtype(value_type).itemsize
            at = rows + start
            record["profile_id"] = self.profile_ids[plan.profile[at]]
            record["title_id"] = plan.title_id[at]
            record["started_at"] = plan.started_us[at] - POSTGRES_EPOCH_US
            record["seconds_watched"] = plan.seconds_watched[at]
            record["completed"] = plan.completed[at]
            record["device"] = plan.device[at]
            record["client_event_id"] = ids[rows].view("V16").ravel()
            record["segment"] = self.segment_tables[segment_width][segment[rows]]
            blocks.append(record.tobytes())
        return b"".join(blocks)
