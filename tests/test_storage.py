"""Evidence files in an S3-compatible bucket (TRACKER_STORAGE_URL=s3://…), through the same upload and download
pages as the folder: moto plays the bucket in-process."""
import io
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from test_progress import PDF, form_data, post_update, user_updates
from tracker.storage import parse_storage_url
from tracker.warmup import warm

BUCKET = "tracker-evidence"


@pytest.fixture
def bucket(monkeypatch):
    """An empty bucket, reached with the standard AWS variables as in production."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


def objects(s3) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {entry["Key"]: s3.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read() for entry in listed}


def test_evidence_goes_to_the_bucket_and_comes_back_from_it(as_role, app, bucket, tmp_path):
    app.config["STORAGE_URL"] = f"s3://{BUCKET}/national/"
    client = as_role("agency", "NADRA")
    data = form_data(client)
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    assert post_update(client, data).status_code == 302
    (update,) = user_updates()
    (evidence,) = update.evidence
    # In the bucket under the prefix, with its generated name; nothing in the upload folder.
    assert objects(bucket) == {f"national/{evidence.stored_name}": PDF}
    assert not Path(app.config["UPLOAD_DIR"]).exists()
    download = client.get(f"/evidence/{evidence.id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert "minutes.pdf" in download.headers["Content-Disposition"]

    # A file gone from the bucket is a 404 with the page's words, never a 500.
    bucket.delete_object(Bucket=BUCKET, Key=f"national/{evidence.stored_name}")
    assert client.get(f"/evidence/{evidence.id}/download").status_code == 404

    # A backup copies the bucket's files beside the database.
    bucket.put_object(Bucket=BUCKET, Key=f"national/{evidence.stored_name}", Body=PDF)
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "backup" / "uploads" / evidence.stored_name).read_bytes() == PDF
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert f"uploads/{evidence.stored_name}" in manifest["files"]


def test_a_refused_save_leaves_nothing_in_the_bucket(as_role, app, bucket):
    app.config["STORAGE_URL"] = f"s3://{BUCKET}"
    client = as_role("agency", "NADRA")
    data = form_data(client, version="0")  # a stale copy of the item: refused, its file kept nowhere
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    assert post_update(client, data).status_code == 409
    assert objects(bucket) == {}


@pytest.mark.parametrize("url", ["s3:///no-bucket", "ftp://host/evidence", "file://"])
def test_a_mistyped_storage_url_stops_the_server_at_start(app, url):
    app.config["STORAGE_URL"] = url
    with pytest.raises(ValueError, match="TRACKER_STORAGE_URL"):
        warm(app)


def test_storage_urls():
    assert parse_storage_url("", "/srv/uploads") == ("folder", "/srv/uploads", "")
    assert parse_storage_url("file:///mnt/evidence", "/srv/uploads") == ("folder", "/mnt/evidence", "")
    assert parse_storage_url("s3://bucket/a/b", "/srv/uploads") == ("bucket", "bucket", "/a/b")
