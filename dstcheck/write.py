"""The one way dstcheck writes a file it was asked to write (a fix, a baseline, a report)."""

from __future__ import annotations

import os
import stat
import tempfile


def replace_file(path: str, data: bytes) -> None:
    """Replace a file's content in one step: a temporary file in the same directory, the old
    file's permission bits (a new file gets the umask's), then a rename. A symbolic link stays a
    link (its target is written). A target that is not a regular file (`/dev/null`, a FIFO) is
    written in place: renaming over it would replace the device with a file."""
    real = os.path.realpath(path)
    try:
        status = os.stat(real)
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with open(real, "wb") as handle:
            handle.write(data)
        return
    if status is not None:
        mode = stat.S_IMODE(status.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    directory = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(real) + ".", suffix=".dstcheck-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
