"""Object-store emulators: moto (S3), gcp-storage-emulator (Google Cloud Storage), Azurite (Azure).

Used by the tests' fixtures (``tests/s3server.py``, ``tests/cloudservers.py``)
and the ``storage`` benchmark suite. moto's S3 server runs in the caller's
own threads; the two others each as the caller's own process (its own
process group on a free 127.0.0.1 port, waited for with a timeout, stopped
by pid) with its data in the caller's private ``directory``. moto and
gcp-storage-emulator come from PyPI (the test extra), Azurite from npm,
installed into the checkout's ``node_modules/`` by ``make test``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import BIN, ROOT, Server, free_port, start_server

#: Azurite's documented development account (its well-known key is public).
AZURE_ACCOUNT = "devstoreaccount1"
AZURE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE = ROOT / "node_modules" / ".bin" / "azurite-blob"
#: Seconds an emulator may take to listen (Azurite's node start-up on a busy machine).
START_TIMEOUT = 45


@contextmanager
def s3_emulator() -> Iterator[str]:
    """moto's S3 server on a free loopback port, in this process's threads; yields its endpoint URL.

    Any access key is accepted; buckets start empty.
    """
    # Imported here: moto is a test dependency, and slow to import.
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log, a line a request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def start_gcs_emulator(directory: Path, *, timeout: float = START_TIMEOUT) -> Server:
    """gcp-storage-emulator on a free loopback port, objects in its memory.

    Its URL is what google-cloud-storage reads from ``STORAGE_EMULATOR_HOST``.
    """
    port = free_port()
    argv = [
        str(BIN / "gcp-storage-emulator"),
        f"--data-dir={directory}",
        "start",
        "--host=127.0.0.1",
        f"--port={port}",
        "--in-memory",
    ]
    return start_server(argv, port, directory / "emulator.log", timeout=timeout, cwd=directory)


def start_azurite(directory: Path, *, debug_log: bool = True, timeout: float = START_TIMEOUT) -> Server:
    """Azurite's blob service on a free loopback port, its data in ``directory``.

    The account's URL is :func:`azurite_account_url` of the server.

    :param debug_log: log every request to ``directory/debug.log`` (off where
        the emulator's speed is measured).
    """
    port = free_port()
    argv = [
        str(AZURITE),
        "--blobHost=127.0.0.1",
        f"--blobPort={port}",
        f"--location={directory}",
        "--disableTelemetry",
        # azure-storage-blob may speak a newer API version than this Azurite.
        "--skipApiVersionCheck",
        "--silent",
    ]
    if debug_log:
        argv.append(f"--debug={directory / 'debug.log'}")
    return start_server(argv, port, directory / "azurite.log", timeout=timeout, cwd=directory)


def azurite_account_url(server: Server) -> str:
    """``http://127.0.0.1:PORT/devstoreaccount1``: the blob endpoint of Azurite's development account."""
    return f"{server.url}/{AZURE_ACCOUNT}"


def azurite_connection_string(account_url: str) -> str:
    """The connection string of Azurite's development account at ``account_url``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURE_ACCOUNT};"
        f"AccountKey={AZURE_KEY};BlobEndpoint={account_url};"
    )
