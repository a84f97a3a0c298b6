"""Where evidence files are kept: a folder (local, or a volume every web machine mounts), or an S3-compatible bucket.

TRACKER_STORAGE_URL chooses: empty for the folder TRACKER_UPLOAD_DIR, `s3://bucket/prefix` for a bucket, reached
with boto3's own settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, and AWS_ENDPOINT_URL for
a store other than Amazon's: MinIO, Ceph, Garage …). Every writer and reader of evidence files goes through
`evidence_storage()`, so the choice is made once.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app


class Storage(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def open(self, name: str) -> BinaryIO: ...
    def delete(self, name: str) -> None: ...
    def exists(self, name: str) -> bool: ...
    def names(self) -> Iterator[str]: ...


class FolderStorage:
    """Files in a folder: the default, and a shared mount when several machines serve the app."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        # Names are ours (random hex and an extension), never a user's: anything else is a programming error.
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a stored file's name: {name!r}")
        return self.folder / name

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Like a bucket's put, it replaces a file of that name (a restore's); new files have fresh random names.
        self._path(name).write_bytes(data)

    def open(self, name: str) -> BinaryIO:
        return open(self._path(name), "rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def names(self) -> Iterator[str]:
        if self.folder.is_dir():
            yield from sorted(path.name for path in self.folder.iterdir() if path.is_file())


class BucketStorage:
    """Objects in an S3-compatible bucket, under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", client=None):
        import boto3

        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        # boto3 reads the credentials, region and endpoint from the standard AWS variables (or instance roles).
        self.client = client or boto3.client("s3")

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def open(self, name: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(name) from None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"].removeprefix(self.prefix)


def parse_storage_url(url: str, folder: str) -> tuple[str, str, str]:
    """("folder", path, "") or ("bucket", name, prefix) from a TRACKER_STORAGE_URL (empty: the folder)."""
    parts = urlsplit(url)
    if not url:
        return "folder", folder, ""
    if parts.scheme == "s3" and parts.netloc:
        return "bucket", parts.netloc, parts.path
    if parts.scheme == "file" and parts.path:
        return "folder", parts.path, ""
    raise ValueError(f"TRACKER_STORAGE_URL must be empty, s3://bucket/prefix or file:///folder, not {url!r}")


def storage_for(url: str, folder: str) -> Storage:
    """The storage a TRACKER_STORAGE_URL names."""
    kind, where, prefix = parse_storage_url(url, folder)
    return BucketStorage(where, prefix) if kind == "bucket" else FolderStorage(where)


def evidence_storage() -> Storage:
    """The app's evidence storage, made once per app (a boto3 client is safe to share between threads)."""
    app = current_app._get_current_object()
    key = (app.config.get("STORAGE_URL") or "", app.config["UPLOAD_DIR"])
    cached = app.extensions.get("evidence_storage")
    if cached is None or cached[0] != key:
        cached = app.extensions["evidence_storage"] = (key, storage_for(*key))
    return cached[1]


def copy_out(storage: Storage, folder: Path) -> int:
    """Copy every stored file into a folder (a backup); returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name in storage.names():
        with storage.open(name) as source, open(folder / name, "wb") as target:
            shutil.copyfileobj(source, target)
        count += 1
    return count
