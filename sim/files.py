"""Files the game reads and writes: reads are bounded, saves are atomic.

``read_regular`` reads a file the player named (a level, a replay, the save file) only when it is
a regular file of at most a given size: a device (``/dev/zero``), a pipe (a FIFO would block the
reader forever), a folder or an oversized file is refused with ``UnreadableFile``, whose message
says why in a few words, and never more than ``max_bytes + 1`` bytes are read.

``write_json_atomic`` writes to a temporary file in the target's folder, flushes it to disk, and
moves it over the target with one ``os.replace``: a crash or a full disk mid-write leaves the old
file whole (or no file), never a half-written one.

``move_aside`` renames a save file that cannot be read to ``<name>.corrupt-<timestamp>``, so
the game starts afresh without losing it.

``quoted`` shows a value from a file or a command line in an error message: its ``repr``, cut to a
few dozen characters, so a message stays one short line whatever the value holds.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from pathlib import Path

QUOTE_CHARS = 40          # characters of a bad value an error message repeats


class UnreadableFile(OSError):
    """A file that is not read: ``str(err)`` says why ("not a regular file", "file is too large ...")."""


def quoted(value, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` in at most about ``limit`` characters: a longer string shows its first
    ``limit`` characters and its length, a long list its length; newlines and other control
    characters come out escaped, as repr writes them."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    if isinstance(value, (list, tuple, dict)) and len(value) > limit:
        return f"<a {type(value).__name__} of {len(value):,} items>"
    try:
        text = repr(value)
    except ValueError:                        # an int too long for repr (more than 4300 digits)
        return "<a number of thousands of digits>"
    return text if len(text) <= limit else text[:limit] + "..."


def read_regular(path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, if it holds at most ``max_bytes``; otherwise
    ``UnreadableFile``. The file is checked before it is opened and again once it is open (a
    FIFO is opened without blocking), and the read itself stops after ``max_bytes + 1`` bytes."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except OSError as err:
        raise UnreadableFile(f"cannot read: {err.strerror or err}") from None
    except ValueError:                        # a NUL character, or a name that cannot be encoded
        raise UnreadableFile("not a file name the system can open") from None
    _check_regular(st, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise UnreadableFile(f"cannot read: {err.strerror or err}") from None
    try:
        _check_regular(os.fstat(fd), max_bytes)            # the file opened is the file checked
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise UnreadableFile(f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UnreadableFile(f"file is larger than {max_bytes:,} bytes")
    return data


def _check_regular(st: os.stat_result, max_bytes: int):
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile("is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile("not a regular file (a device, a pipe or a socket)")
    if st.st_size > max_bytes:
        raise UnreadableFile(f"file is {st.st_size:,} bytes; at most {max_bytes:,} are read")


def write_json_atomic(path: Path, data) -> None:
    """Write ``data`` as JSON to ``path`` via a temporary file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def move_aside(path: Path) -> Path:
    """Rename the unreadable file at ``path`` to ``<name>.corrupt-<timestamp>`` (numbered if that
    is taken) beside it, and return the new path; OSError if it cannot be moved."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, backup)
    return backup


def read_save(path: Path, max_bytes: int, check) -> tuple:
    """Read the JSON save file at ``path`` (a regular file of at most ``max_bytes``) that
    ``check(data)`` accepts (it raises ValueError, KeyError or TypeError on anything else) ->
    (data, state, detail), ``state`` one of:

    * "ok": ``data`` is the file's JSON;
    * "missing": there is no file yet (``data`` None);
    * "unreachable": its folder cannot be looked into; ``detail`` says why (do not write there);
    * "moved": the file was unreadable and is renamed aside (``move_aside``); ``detail`` is the
      new file's name;
    * "stuck": the file was unreadable and cannot be moved aside; ``detail`` says why (do not
      write over it).
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        return None, "missing", ""
    except (OSError, ValueError) as err:     # no permission, or a name the system cannot hold
        return None, "unreachable", getattr(err, "strerror", None) or "a name the system cannot open"
    try:
        data = json.loads(read_regular(path, max_bytes).decode("utf-8"))
        check(data)
        return data, "ok", ""
    except (UnreadableFile, OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
        pass                                 # ValueError: bad UTF-8, bad JSON, integers of thousands of digits
    try:
        return None, "moved", move_aside(path).name
    except OSError as err:
        return None, "stuck", err.strerror or str(err)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder and os.replace."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's file-creation mask (mkstemp makes files 0600; a page should open like any file)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
