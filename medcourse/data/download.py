"""Checked downloads: a deadline, a minimum speed, world-readable files, nothing half-written under a real name.

:class:`GuardedDownloader` is a `pooch <https://www.fatiando.org/pooch>`_ downloader (a callable
``downloader(url, output_file, pooch)``) that streams with ``requests`` and gives up when the server
is unreachable, answers with an HTTP error, sends too slowly, misses the overall deadline or closes
the connection early. :func:`download_file` drives it: the bytes go to ``<folder>/.partial/``, their
size and MD5 are checked (MD5 with :func:`pooch.file_hash`), the file is made readable by everyone
(mode 0644, for a classroom's shared data folder) and only then renamed to its final name.
Every failure is a :class:`DownloadError` whose ``reason`` names the cause.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from medcourse.data.cache import clean_stale_partials, partial_path, writable_folder

#: ``DownloadError.reason`` values.
REASONS = ("offline", "http", "truncated", "too-slow", "deadline", "md5", "invalid", "permission",
           "not-a-directory", "unwritable")
#: Mode of every downloaded file: readable by everyone, writable by its owner.
FILE_MODE = 0o644


class DownloadError(RuntimeError):
    """A download failed; ``reason`` is one of :data:`REASONS`, ``status`` the HTTP status if any."""

    def __init__(self, message: str, reason: str, status: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Limits:
    """How long and how slowly a download may run before it is abandoned.

    Attributes
    ----------
    timeout : float
        Seconds to wait for the connection, and for each next piece of data.
    minimum_rate : float
        Bytes per second the download must average over each ``window`` (after the first one).
    window : float
        Seconds over which the speed is measured.
    deadline : float or None
        Seconds for the whole download; None: 60 s plus the time the announced size takes at
        ``minimum_rate``.
    """

    timeout: float = 15.0
    minimum_rate: float = 20_000.0
    window: float = 30.0
    deadline: float | None = None

    def deadline_for(self, size: int | None) -> float:
        if self.deadline is not None:
            return self.deadline
        return 60.0 + (size or 0) / self.minimum_rate + (3600.0 if size is None else 0.0)


def _status_text(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


class _Speed:
    """Bytes received in a sliding window, to tell a slow drip from a live download."""

    def __init__(self, limits: Limits, start: float):
        self.limits, self.start = limits, start
        self.samples: deque[tuple[float, int]] = deque([(start, 0)])

    def check(self, now: float, received: int) -> None:
        self.samples.append((now, received))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.limits.window:
            self.samples.popleft()
        oldest_time, oldest_count = self.samples[0]
        if now - self.start >= self.limits.window and now - oldest_time >= self.limits.window:
            rate = (received - oldest_count) / (now - oldest_time)
            if rate < self.limits.minimum_rate:
                raise DownloadError(f"the server sends too slowly ({rate:,.0f} bytes/s over the last "
                                    f"{now - oldest_time:.0f} s; at least {self.limits.minimum_rate:,.0f} "
                                    "bytes/s are needed)", "too-slow")


class GuardedDownloader:
    """A pooch downloader with a connection timeout, a minimum speed, an overall deadline and a size check."""

    def __init__(self, limits: Limits | None = None, *, progressbar: bool = False, chunk_size: int = 1 << 16):
        self.limits = limits or Limits()
        self.progressbar = progressbar
        self.chunk_size = chunk_size

    def _response(self, url: str):
        import requests

        host = urlsplit(url).netloc
        try:
            response = requests.get(url, stream=True, timeout=self.limits.timeout,
                                    headers={"Accept-Encoding": "identity"})
        except requests.exceptions.ReadTimeout:
            raise DownloadError(f"{host} accepted the connection but did not answer within "
                                f"{self.limits.timeout:g} s", "too-slow") from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
            raise DownloadError(f"could not reach {host} ({type(error).__name__}): you seem to be offline, "
                                "or the server is down", "offline") from None
        except requests.exceptions.RequestException as error:
            raise DownloadError(f"the request to {url} failed ({type(error).__name__}: {error})",
                                "offline") from None
        if response.status_code >= 400:
            response.close()
            status = response.status_code
            side = "a problem on the server's side" if status >= 500 else "the file is not available there"
            raise DownloadError(f"the server answered {_status_text(status)}: {side}", "http", status)
        return response

    def __call__(self, url: str, output_file, pooch=None, check_only: bool = False):
        """Download ``url`` into ``output_file`` (a path or a binary file object), as pooch asks."""
        response = self._response(url)
        if check_only:
            response.close()
            return True
        announced = response.headers.get("Content-Length")
        size = int(announced) if announced and announced.isdigit() else None
        with response, _open(output_file) as sink, _progress(self.progressbar, size, url) as bar:
            received = self._stream(response, sink, size, bar)
        if size is not None and received != size:
            raise DownloadError(f"the download is truncated: the connection closed after {received:,} of "
                                f"{size:,} bytes", "truncated")
        return None

    def _stream(self, response, sink, size: int | None, bar) -> int:
        """Copy the body to ``sink`` piece by piece as it arrives (``read1``: a drip is seen, not awaited)."""
        from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError

        start = time.monotonic()
        deadline = self.limits.deadline_for(size)
        speed, received = _Speed(self.limits, start), 0
        of_size = f" of {size:,}" if size else ""
        try:
            while chunk := response.raw.read1(self.chunk_size):
                sink.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
                now = time.monotonic()
                if now - start > deadline:
                    raise DownloadError(f"the download did not finish within its deadline of {deadline:.0f} s "
                                        f"({received:,}{of_size} bytes received)", "deadline")
                speed.check(now, received)
        except ReadTimeoutError:
            raise DownloadError(f"the server stopped sending data for {self.limits.timeout:g} s "
                                f"({received:,}{of_size} bytes received)", "too-slow") from None
        except (ProtocolError, HTTPError, ConnectionError):
            raise DownloadError(f"the download is truncated: the connection broke after {received:,}{of_size} "
                                "bytes", "truncated") from None
        return received


class _open:
    """A binary file to write: the given file object, or a path opened (and closed) here."""

    def __init__(self, target):
        self.target, self.opened = target, None

    def __enter__(self):
        if hasattr(self.target, "write"):
            return self.target
        self.opened = open(self.target, "wb")
        return self.opened

    def __exit__(self, *exc):
        if self.opened is not None:
            self.opened.close()


class _NoBar:
    def update(self, n):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress(enabled: bool, total: int | None, url: str):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    name = Path(urlsplit(url).path).name
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=f"downloading {name}",
                leave=True)


def file_md5(path: str | os.PathLike) -> str:
    """MD5 hex digest of a file, as pooch computes it."""
    import pooch

    return pooch.file_hash(str(path), alg="md5")


def download_file(url: str, destination: str | os.PathLike, *, md5: str | None,
                  check: Callable[[Path], None] | None = None, limits: Limits | None = None,
                  progressbar: bool = True, downloader: Callable | None = None) -> Path:
    """Download ``url`` to ``destination``: checked, world-readable, and only complete files under that name.

    Parameters
    ----------
    url : str
    destination : path
        The final file. Its folder is created and must be writable (checked before connecting).
    md5 : str or None
        Expected MD5; None skips the MD5 check (the size is still checked against Content-Length).
    check : callable, optional
        Called with the downloaded file before it is renamed (e.g. "is it a valid archive?"); it
        raises to refuse the file.
    limits : Limits, optional
        Timeout, minimum speed and deadline (see :class:`Limits`).
    downloader : callable, optional
        A pooch-style downloader; default :class:`GuardedDownloader`.

    Raises
    ------
    DownloadError
        With ``reason`` set; nothing is left behind under ``destination`` or in ``.partial/``.
    """
    from medcourse.data.cache import CacheFolderError

    destination = Path(destination)
    limits = limits or Limits()
    try:
        folder = writable_folder(destination.parent)
    except CacheFolderError as error:
        raise DownloadError(str(error), error.reason) from None
    clean_stale_partials(folder, older_than=max(limits.deadline_for(None), 2 * limits.timeout) + 60.0)
    partial = partial_path(folder, destination.name)
    downloader = downloader or GuardedDownloader(limits, progressbar=progressbar)
    try:
        downloader(url, str(partial), None)
        if md5 is not None and (actual := file_md5(partial)) != md5:
            raise DownloadError(f"the downloaded file has MD5 {actual}, not the expected {md5}", "md5")
        if check is not None:
            check(partial)
        os.chmod(partial, FILE_MODE)
        os.replace(partial, destination)
    except OSError as error:
        reason = "permission" if isinstance(error, PermissionError) else "unwritable"
        raise DownloadError(f"could not write {destination} ({error.strerror or error})", reason) from None
    finally:
        partial.unlink(missing_ok=True)
    return destination


__all__ = ["FILE_MODE", "REASONS", "DownloadError", "GuardedDownloader", "Limits", "download_file", "file_md5"]
