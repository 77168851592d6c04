"""Writing ``--out`` and ``--rejected`` files without replacing what must not be replaced.

The rules: a symlink is written *through* (its target gets the content, the link stays); an
existing non-regular file (``/dev/stdout``, a FIFO) is written into directly, never replaced by a
regular file; a directory or block device is refused; a path that is one of the inputs is refused
(writing it would destroy the input while it is read). A regular file is written to a unique
``.partial`` file beside it (created exclusively, so nothing planted at that name is followed) and
renamed over it when complete, so a report never appears half-written; the partial file is
removed on any failure or stop. The finished file keeps the replaced file's permissions, or gets
the usual ones (umask) when new.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from conduct_rules.errors import InputError

__all__ = ["check_outputs", "open_output"]


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def check_outputs(outputs: Iterable[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """Refuse an output that is an input, or the same file as another output (``InputError``).

    ``outputs``: ``(option, path)`` pairs; a None path is not written.
    """
    ins = {i for i in (_identity(p) for p in inputs if p != "-") if i is not None}
    seen: dict[tuple[int, int] | str, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        ident = _identity(path)
        if ident is not None and ident in ins:
            raise InputError(f"{option} names the input file; choose another path")
        key: tuple[int, int] | str = ident if ident is not None else os.path.realpath(path)
        if key in seen:
            raise InputError(f"{option} and {seen[key]} name the same file")
        seen[key] = option
        _target(path, option)  # refuse directories and block devices before any work


def _target(path: str, option: str) -> tuple[Path, bool]:
    """The file to write (symlinks resolved) and whether it is written in place (not regular).

    A non-regular file is opened by the name given: ``/dev/stdout`` resolves to a pipe that has
    no path of its own.
    """
    try:
        st = os.stat(path)  # follows symlinks: the kind of file the content would land in
    except FileNotFoundError:
        return Path(os.path.realpath(path)), False  # new, or a dangling link: its target
    except OSError as exc:
        raise InputError(f"{option}: cannot use {path} ({type(exc).__name__})") from None
    if stat.S_ISREG(st.st_mode):
        return Path(os.path.realpath(path)), False
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{option}: {path} is a directory")
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return Path(path), True
    raise InputError(f"{option}: {path} is not a regular file, a FIFO or a terminal; refusing")


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def open_output(path: str, option: str = "--out", *, binary: bool = False) -> Iterator[IO[Any]]:
    """A text (UTF-8, no newline translation) or binary handle whose content lands at ``path``."""
    target, in_place = _target(path, option)
    if in_place:
        with target.open("wb" if binary else "w", **({} if binary else _TEXT)) as fh:  # type: ignore[call-overload]
            yield fh
        return
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    done = False
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else _TEXT)) as fh:  # type: ignore[call-overload]
            yield fh
        os.chmod(partial, _mode_for(target))
        os.replace(partial, target)
        done = True
    finally:
        if not done:
            Path(partial).unlink(missing_ok=True)


_TEXT = {"encoding": "utf-8", "newline": ""}
