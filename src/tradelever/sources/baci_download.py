"""Download a CEPII BACI release zip, resumably, and verify it before it is ingested.

The file is ``BACI_{HS}_{release}.zip`` under
``https://www.cepii.fr/DATA_DOWNLOAD/baci/data`` (the pattern of ``reference/data-formats.md``
section a), or under ``$TRADELEVER_BACI_URL`` / the ``base`` parameter. It is written to
``<data_dir>/downloads/baci/`` through a ``.part`` file: an interrupted download resumes
with an HTTP ``Range`` request on the next run, and only a complete file is renamed into
place. The zip is then checked (every member's CRC, the release's expected members: yearly
trade CSVs, country and product dictionaries) and its sha256 recorded in a sidecar
``<zip>.json``; a later run with the same verified file skips the download. Parsing and
storing the release is the BACI ingest's job (:func:`tradelever.api.ingest_baci`).

CEPII publishes no checksums, so the sha256 is *recorded* for provenance and compared with
``expected_sha256`` only when the user gives one (e.g. from a colleague's earlier
download). CEPII removes old releases from time to time: a 404 names the URL and says to
download the release by hand and run ``tradelever ingest baci PATH``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from tradelever.checksums import file_sha256
from tradelever.errors import DataFileError, FetchError, InputError
from tradelever.sources.http import HttpClient, ProgressHook, base_url

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "HS_REVISIONS",
    "MAX_ZIP_BYTES",
    "BaciDownload",
    "baci_zip_name",
    "download_baci",
    "validate_release",
    "verify_baci_zip",
]

log = logging.getLogger(__name__)

DEFAULT_URL: Final = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data"
ENV_URL: Final = "TRADELEVER_BACI_URL"
HS_REVISIONS: Final = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
LICENCE: Final = "Etalab Open Licence 2.0 (CEPII BACI)"
LANDING_PAGE: Final = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
#: Size cap of a release zip (the largest, HS92 with every year since 1995, is about 3 GB).
MAX_ZIP_BYTES: Final = 8 * 1024**3


def validate_release(release: str, hs: str) -> tuple[str, str]:
    """Normalise and check ``--release`` (``V202501``, ``V202401b``) and ``--hs`` (``HS22``).

    Raises
    ------
    InputError
        Naming the option and the accepted forms.
    """
    rel = str(release).strip()
    if re.fullmatch(r"[vV]?\d{6}[a-z]?", rel):
        rel = "V" + rel.lstrip("vV")
    else:
        raise InputError(
            f"--release: {release!r} is not a BACI release code such as V202501 (V + year and "
            "month of the release, optionally a letter: V202401b)"
        )
    rev = str(hs).strip().upper()
    if re.fullmatch(r"\d{2}", rev):
        rev = "HS" + rev
    if rev not in HS_REVISIONS:
        raise InputError(f"--hs: {hs!r} is not one of {', '.join(HS_REVISIONS)}")
    return rel, rev


def baci_zip_name(release: str, hs: str) -> str:
    """``BACI_HS22_V202501.zip``."""
    rel, rev = validate_release(release, hs)
    return f"BACI_{rev}_{rel}.zip"


@dataclass(frozen=True)
class BaciDownload:
    """A verified BACI zip on disk, with what to cite."""

    path: Path
    url: str
    release: str
    hs: str
    bytes: int
    sha256: str
    retrieved_at: str
    years: tuple[int, ...]
    """Years of the yearly trade files in the zip."""
    resumed_from: int
    reused: bool
    """True when a verified file from an earlier run was used without downloading."""

    def record(self) -> dict[str, Any]:
        """JSON-ready provenance record (the sidecar file's content)."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["years"] = list(self.years)
        out["licence"] = LICENCE
        return out


def _read_sidecar(path: Path) -> dict[str, Any]:
    """The record of an earlier verified download ({} if unreadable: download again)."""
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    needed = ("url", "retrieved_at", "years", "bytes", "sha256")
    if not isinstance(record, dict) or any(k not in record for k in needed):
        return {}
    return record


def verify_baci_zip(path: str | os.PathLike[str], release: str, hs: str) -> tuple[int, ...]:
    """Check a release zip: readable, CRCs correct, expected members present.

    Returns the years of its trade files.

    Raises
    ------
    DataFileError
        Naming the file and the missing or corrupt member.
    """
    rel, rev = validate_release(release, hs)
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = [Path(n).name for n in zf.namelist()]
    except zipfile.BadZipFile as exc:
        raise DataFileError(f"not a readable zip archive ({exc})", path=str(path)) from exc
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise DataFileError(f"cannot read the zip archive ({exc})", path=str(path)) from exc
    if bad is not None:
        raise DataFileError(
            f"member {bad!r} fails its CRC check (corrupt download)", path=str(path)
        )
    pattern = re.compile(rf"BACI_{rev}_Y(\d{{4}})_{rel}\.csv")
    years = tuple(sorted(int(m.group(1)) for n in names if (m := pattern.fullmatch(n))))
    missing = []
    if not years:
        missing.append(f"BACI_{rev}_Y????_{rel}.csv (yearly trade files)")
    for member in (f"country_codes_{rel}.csv", f"product_codes_{rev}_{rel}.csv"):
        if member not in names:
            missing.append(member)
    if missing:
        raise DataFileError(
            f"the archive lacks {', '.join(missing)}; it holds "
            f"{', '.join(names[:10]) or 'nothing'}",
            path=str(path),
        )
    return years


def download_baci(
    release: str,
    hs: str,
    *,
    dest_dir: str | os.PathLike[str],
    client: HttpClient,
    base: str | None = None,
    expected_sha256: str | None = None,
    progress: ProgressHook | None = None,
    force: bool = False,
    max_bytes: int = MAX_ZIP_BYTES,
) -> BaciDownload:
    """Download (or resume, or reuse) and verify ``BACI_{hs}_{release}.zip``.

    Parameters
    ----------
    release, hs
        ``V202501`` and ``HS22``.
    dest_dir
        Folder for the zip (``<data_dir>/downloads/baci``).
    client
        The shared HTTP client (retries, backoff).
    base
        Base URL; default ``$TRADELEVER_BACI_URL`` or CEPII's data folder.
    expected_sha256
        If given, the file must have this digest.
    progress
        Hook called with bytes done and total.
    force
        Download again even when a verified file is present.
    max_bytes
        Size cap of the zip (default :data:`MAX_ZIP_BYTES`).

    Raises
    ------
    FetchError
        HTTP errors (a 404 says how to get the file by hand), a bad redirect, a file over
        ``max_bytes``, a stalled transfer or one that keeps failing (the ``.part`` file is
        kept for the next run); connection failures name the host and the manual route.
    DataFileError
        A corrupt or incomplete archive (it is deleted so the next run downloads it again),
        or a sha256 different from ``expected_sha256``.
    """
    rel, rev = validate_release(release, hs)
    name = f"BACI_{rev}_{rel}.zip"
    url = f"{base_url(DEFAULT_URL, base)}/{name}"
    folder = Path(dest_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    sidecar = folder / f"{name}.json"
    if expected_sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expected_sha256):
        raise InputError(f"--sha256: {expected_sha256!r} is not a 64-digit hexadecimal sha256")
    if target.is_file() and sidecar.is_file() and not force:
        record = _read_sidecar(sidecar)
        stat = target.stat()
        if (
            record
            and record.get("bytes") == stat.st_size
            and (expected_sha256 is None or record.get("sha256") == expected_sha256.lower())
        ):
            sha = file_sha256(target)
            if sha == record.get("sha256"):
                log.info("reusing verified %s", target)
                return BaciDownload(
                    path=target,
                    url=record["url"],
                    release=rel,
                    hs=rev,
                    bytes=stat.st_size,
                    sha256=sha,
                    retrieved_at=record["retrieved_at"],
                    years=tuple(record["years"]),
                    resumed_from=0,
                    reused=True,
                )
    if force:
        for stale in (target, sidecar, target.with_name(name + ".part")):
            stale.unlink(missing_ok=True)
    try:
        manual = (
            f"download {name} by hand from {LANDING_PAGE} and load it with "
            "`tradelever ingest baci PATH`"
        )
        result = client.download(
            url,
            target,
            progress=progress,
            description=name,
            max_bytes=max_bytes,
            offline_hint=manual,
        )
    except FetchError as exc:
        if exc.status == 404:
            raise FetchError(
                f"{url}: HTTP 404, CEPII does not (or no longer) serve release {rel} for {rev}. "
                f"Check the releases on {LANDING_PAGE}, "
                "or download the zip by hand and run `tradelever ingest baci PATH`",
                url=url,
                status=404,
            ) from exc
        raise
    try:
        years = verify_baci_zip(target, rel, rev)
        if expected_sha256 is not None and result.sha256 != expected_sha256.lower():
            raise DataFileError(
                f"sha256 is {result.sha256}, expected {expected_sha256.lower()}",
                path=str(target),
            )
    except DataFileError:
        target.unlink(missing_ok=True)
        sidecar.unlink(missing_ok=True)
        raise
    download = BaciDownload(
        path=target,
        url=url,
        release=rel,
        hs=rev,
        bytes=result.bytes,
        sha256=result.sha256,
        retrieved_at=result.retrieved_at,
        years=years,
        resumed_from=result.resumed_from,
        reused=False,
    )
    tmp = sidecar.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(download.record(), indent=2), "utf-8")
    os.replace(tmp, sidecar)
    return download
