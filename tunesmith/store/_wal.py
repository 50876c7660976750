"""Reading a write-ahead log the way SQLite will, to find damage SQLite would hide.

SQLite reads a ``-wal`` file up to the first frame whose checksum fails and quietly
ignores the rest: a few damaged bytes in the middle of a log (a bad disk block, a
half-copied file) make every later committed trial disappear, and the next write
overwrites them for good. This module walks the log with SQLite's own rules
(https://www.sqlite.org/fileformat.html#the_write_ahead_log) and says whether
committed frames lie past such a break. Only bytes are read, nothing is written.

What is not damage, because SQLite's normal life leaves it:

* frames after the last commit of the current log (a transaction cut short by a
  crash: correctly rolled back);
* frames whose salts differ from the header's (left over from before the log was
  restarted: already folded into the database);
* a bad last frame (a write torn by a power cut, the one case SQLite's design
  gives up on).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_HEADER_SIZE = 32
_FRAME_HEADER_SIZE = 24
_MAGIC_LITTLE = 0x377F0682  # checksums over little-endian words
_MAGIC_BIG = 0x377F0683  # checksums over big-endian words
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalDamage:
    """Where a log breaks and what SQLite would drop because of it."""

    #: Byte offset of the first frame SQLite would not read.
    offset: int
    #: Frames of the current log after the break (SQLite ignores them all).
    frames_lost: int
    #: Why the frame at ``offset`` is unreadable.
    reason: str


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & _MASK
        s1 = (s1 + words[i + 1] + s0) & _MASK
    return s0, s1


def find_damage(wal: Path) -> WalDamage | None:
    """The break in ``wal`` that hides committed frames from SQLite, or None.

    Example:
        >>> find_damage(Path("runs/p/tunesmith.db-wal"))     # doctest: +SKIP
        WalDamage(offset=36952, frames_lost=5, reason='its checksum does not match')
    """
    try:
        data = wal.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) <= _HEADER_SIZE:
        return None  # an empty log, or one whose first frame was never written
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    frame_size = _FRAME_HEADER_SIZE + page_size
    valid_page_size = 512 <= page_size <= 65536 and page_size & (page_size - 1) == 0
    if magic not in (_MAGIC_LITTLE, _MAGIC_BIG) or not valid_page_size:
        return WalDamage(0, _frames_in(data, 4096), "its header is not a SQLite log header")
    big_endian = magic == _MAGIC_BIG
    s0, s1 = _checksum(data[:24], big_endian, 0, 0)
    if (s0, s1) != (c1, c2):
        return WalDamage(0, _frames_in(data, page_size), "the checksum of its header fails")

    offset = _HEADER_SIZE
    while offset + frame_size <= len(data):
        frame = data[offset : offset + frame_size]
        _page, _commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(">6I", frame[:24])
        if (f_salt1, f_salt2) != (salt1, salt2):
            break  # from an earlier life of the log: the current log ends here
        s0, s1 = _checksum(frame[:8] + frame[24:], big_endian, s0, s1)
        if (s0, s1) != (f_c1, f_c2):
            later = _current_frames_after(data, offset + frame_size, frame_size, salt1, salt2)
            if later:
                return WalDamage(offset, 1 + later, "its checksum does not match")
            break  # the last frame written, torn: SQLite rolls its transaction back
        offset += frame_size
    return None


def _frames_in(data: bytes, page_size: int) -> int:
    return max(0, (len(data) - _HEADER_SIZE) // (_FRAME_HEADER_SIZE + page_size))


def _current_frames_after(data: bytes, offset: int, frame_size: int, *salts: int) -> int:
    """How many frames from ``offset`` on carry the current log's salts."""
    count = 0
    while offset + frame_size <= len(data):
        if struct.unpack(">2I", data[offset + 8 : offset + 16]) == salts:
            count += 1
        offset += frame_size
    return count
