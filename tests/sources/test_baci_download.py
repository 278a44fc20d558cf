"""BACI download against a local server: resume after a cut, verification, then ingest."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from tests import httpserver
from tests.data_factories import baci as factory
from tests.httpserver import LocalServer, Reply, SleepRecorder
from tradelever.errors import DataFileError, FetchError, InputError
from tradelever.sources.baci_download import (
    baci_zip_name,
    download_baci,
    validate_release,
    verify_baci_zip,
)
from tradelever.sources.http import HttpClient

local_server = httpserver.local_server  # the local HTTP server fixture

ZIP_NAME = f"BACI_{factory.HS}_{factory.VERSION}.zip"  # BACI_HS17_V202201.zip (synthetic rows)


@pytest.fixture
def release_zip(tmp_path) -> bytes:
    return factory.write_release_zip(tmp_path / "src").read_bytes()


@pytest.fixture
def http(tmp_path):
    client = HttpClient(cache_dir=None, sleep=SleepRecorder(), timeout=5, backoff=0.1)
    yield client
    client.close()


@pytest.mark.parametrize(
    ("release", "hs", "expected"),
    [("V202501", "HS22", "BACI_HS22_V202501.zip"), ("202401b", "17", "BACI_HS17_V202401b.zip")],
)
def test_zip_names(release, hs, expected) -> None:
    assert baci_zip_name(release, hs) == expected


@pytest.mark.parametrize(
    ("release", "hs", "option"),
    [("2025", "HS22", "--release"), ("V202501", "HS23", "--hs"), ("latest", "HS22", "--release")],
)
def test_invalid_release_or_revision(release, hs, option) -> None:
    with pytest.raises(InputError, match=option):
        validate_release(release, hs)


def test_cut_transfer_resumes_and_is_verified(
    local_server: LocalServer, http, tmp_path, release_zip
) -> None:
    half = len(release_zip) // 2
    local_server.route(
        f"/data/{ZIP_NAME}",
        Reply(200, release_zip, ranges=True, cut_after=half),
        Reply(200, release_zip, ranges=True),
    )
    seen: list[int] = []
    result = download_baci(
        factory.VERSION,
        factory.HS,
        dest_dir=tmp_path / "dl",
        client=http,
        base=f"{local_server.url}/data",
        progress=lambda d, done, total: seen.append(done),
    )
    assert result.path.read_bytes() == release_zip
    assert result.sha256 == hashlib.sha256(release_zip).hexdigest()
    assert result.years == (2020, 2021)
    assert result.url == f"{local_server.url}/data/{ZIP_NAME}"
    hits = local_server.hits(f"/data/{ZIP_NAME}")
    assert len(hits) == 2 and hits[1].headers["range"].startswith("bytes=")
    assert int(hits[1].headers["range"][6:-1]) > 0  # resumed, not restarted
    assert seen[-1] == len(release_zip)
    sidecar = json.loads((tmp_path / "dl" / f"{ZIP_NAME}.json").read_text("utf-8"))
    assert sidecar["sha256"] == result.sha256 and sidecar["licence"].startswith("Etalab")
    # a second run reuses the verified file without a request
    again = download_baci(
        factory.VERSION,
        factory.HS,
        dest_dir=tmp_path / "dl",
        client=http,
        base=f"{local_server.url}/data",
    )
    assert again.reused and len(local_server.hits(f"/data/{ZIP_NAME}")) == 2


def test_expected_sha256_mismatch_deletes_the_file(
    local_server: LocalServer, http, tmp_path, release_zip
) -> None:
    local_server.route(f"/data/{ZIP_NAME}", Reply(200, release_zip, ranges=True))
    with pytest.raises(DataFileError, match="sha256"):
        download_baci(
            factory.VERSION,
            factory.HS,
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"{local_server.url}/data",
            expected_sha256="0" * 64,
        )
    assert not (tmp_path / "dl" / ZIP_NAME).exists()


def test_corrupt_archive_is_rejected_and_removed(local_server: LocalServer, http, tmp_path) -> None:
    local_server.route(f"/data/{ZIP_NAME}", Reply(200, b"<html>maintenance</html>", ranges=True))
    with pytest.raises(DataFileError, match="not a readable zip"):
        download_baci(
            factory.VERSION,
            factory.HS,
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"{local_server.url}/data",
        )
    assert not (tmp_path / "dl" / ZIP_NAME).exists()


def test_archive_missing_members_lists_them(tmp_path) -> None:
    path = tmp_path / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"BACI_HS17_Y2021_{factory.VERSION}.csv", "t,i,j,k,v,q\n")
    with pytest.raises(DataFileError) as err:
        verify_baci_zip(path, factory.VERSION, factory.HS)
    assert "country_codes_V202201.csv" in str(err.value)
    assert "product_codes_HS17_V202201.csv" in str(err.value)


def test_404_names_the_manual_step(local_server: LocalServer, http, tmp_path) -> None:
    with pytest.raises(FetchError) as err:
        download_baci(
            "V199901",
            "HS92",
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"{local_server.url}/data",
        )
    assert err.value.status == 404
    assert "tradelever ingest baci PATH" in str(err.value)


def test_fetch_baci_downloads_then_ingests(
    local_server: LocalServer, tmp_path, release_zip, monkeypatch
) -> None:
    from tradelever import api

    local_server.route(f"/data/{ZIP_NAME}", Reply(200, release_zip, ranges=True))
    monkeypatch.setenv("TRADELEVER_BACI_URL", f"{local_server.url}/data")
    data_dir = tmp_path / "store"
    result = api.fetch_baci(factory.VERSION, factory.HS, years="2021", data_dir=data_dir)
    zip_path = data_dir / "downloads" / "baci" / ZIP_NAME
    assert zip_path.read_bytes() == release_zip  # the downloaded file is what was served
    assert result.name == "baci-hs17-v202201-y2021"  # the ingest names year subsets
    assert result.report["download"]["sha256"] == hashlib.sha256(release_zip).hexdigest()
    flows = api.Session(data_dir).store.table(result.name, "flows").to_pandas()
    assert sorted(flows["year"].unique().tolist()) == [2021]  # --years 2021 only
    row = flows[
        (flows["exporter"] == "MYS") & (flows["importer"] == "USA") & (flows["product"] == "854231")
    ]
    assert row["value_usd"].tolist() == [pytest.approx(500_123.0)]  # 500.123 thousand USD


def test_fetch_baci_rejects_years_not_in_the_release(
    local_server: LocalServer, tmp_path, release_zip, monkeypatch
) -> None:
    from tradelever import api

    local_server.route(f"/data/{ZIP_NAME}", Reply(200, release_zip, ranges=True))
    monkeypatch.setenv("TRADELEVER_BACI_URL", f"{local_server.url}/data")
    with pytest.raises(InputError, match="--years: 2019 not in"):
        api.fetch_baci(factory.VERSION, factory.HS, years=[2019], data_dir=tmp_path / "store")
    with pytest.raises(InputError, match="--years"):
        api.fetch_baci(factory.VERSION, factory.HS, years="20x1", data_dir=tmp_path / "store")


# -- a hostile or absent server (issue 13) ----------------------------------------------------
def test_an_unreachable_server_fails_fast_and_names_the_manual_route(http, tmp_path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        download_baci(
            factory.VERSION,
            factory.HS,
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"http://127.0.0.1:{port}/data",
        )
    message = str(err.value)
    assert message.startswith(f"cannot connect to 127.0.0.1:{port} (")
    assert f"download {ZIP_NAME} by hand from https://www.cepii.fr/" in message
    assert "`tradelever ingest baci PATH`" in message
    assert http.sleep.waits == [0.1]


def test_a_redirect_to_a_local_file_is_refused(local_server: LocalServer, http, tmp_path) -> None:
    local_server.route(f"/data/{ZIP_NAME}", Reply(302, headers={"Location": "file:///etc/hosts"}))
    with pytest.raises(FetchError, match="file: URL, which is refused"):
        download_baci(
            factory.VERSION,
            factory.HS,
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"{local_server.url}/data",
        )
    assert len(local_server.hits(f"/data/{ZIP_NAME}")) == 1
    assert not (tmp_path / "dl" / ZIP_NAME).exists()


def test_a_zip_over_the_cap_is_refused(
    local_server: LocalServer, http, tmp_path, release_zip
) -> None:
    local_server.route(f"/data/{ZIP_NAME}", Reply(200, release_zip, ranges=True))
    with pytest.raises(FetchError, match=r"over the .* cap for this source"):
        download_baci(
            factory.VERSION,
            factory.HS,
            dest_dir=tmp_path / "dl",
            client=http,
            base=f"{local_server.url}/data",
            max_bytes=len(release_zip) // 2,
        )
    assert not list((tmp_path / "dl").iterdir())
