"""The stand-in's files: shared only once uploaded whole, and only in the direct conversation named."""

from __future__ import annotations

import json

from local.slack_files import Files

BASE = "http://127.0.0.1:7072"


def start(files: Files, content: bytes) -> str:
    file_id, (status, answer) = files.upload_url({"filename": "x.csv", "length": str(len(content))}, BASE)
    assert (status, answer["ok"], answer["upload_url"]) == (200, True, f"{BASE}/upload/{file_id}")
    return file_id


def complete(files: Files, file_id: str, channel: str = "DU0ME") -> dict[str, object]:
    return files.complete({"channel_id": channel, "files": json.dumps([{"id": file_id, "title": "T"}])})[1][1]


def test_a_file_uploaded_whole_is_shared_in_the_users_direct_conversation() -> None:
    files = Files()
    user, (_, opened) = files.open_conversation({"users": "U0ME"})
    assert (user, opened) == ("U0ME", {"ok": True, "channel": {"id": "DU0ME"}})
    file_id = start(files, b"a,b\r\n")
    assert files.upload(file_id, b"a,b\r\n") == 200
    assert complete(files, file_id)["ok"] is True
    (shared,) = files.shared("U0ME")
    assert (shared.channel, shared.filename, shared.title, shared.content) == ("DU0ME", "x.csv", "T", b"a,b\r\n")
    assert files.shared("U0OTHER") == []


def test_a_file_not_uploaded_or_cut_short_is_not_shared() -> None:
    files = Files()
    file_id = start(files, b"12345")
    assert complete(files, file_id) == {"ok": False, "error": "file_not_found"}
    assert files.upload(file_id, b"123") == 400
    assert files.upload("F-unknown", b"12345") == 404
    assert files.shared("U0ME") == []
