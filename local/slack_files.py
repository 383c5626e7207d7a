"""Direct conversations and file uploads as the Slack stand-in plays them: ``conversations.open``, then
``files.getUploadURLExternal``, the upload itself to the URL it gave, and ``files.completeUploadExternal``
sharing the file in a channel. Not thread-safe: the stand-in calls it under its lock.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class SharedFile:
    """A file shared in a user's direct conversation with the app: what that user finds there."""

    file_id: str
    channel: str
    filename: str
    title: str
    content: bytes


@dataclass
class _Upload:
    filename: str
    length: int
    content: bytes | None = None


@dataclass
class Files:
    """Each user's direct conversation is ``D<user id>``, so a shared file is known to be theirs."""

    _pending: dict[str, _Upload] = field(default_factory=dict)
    _shared: dict[str, list[SharedFile]] = field(default_factory=dict)  # user -> files shared with them
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def shared(self, user: str) -> list[SharedFile]:
        return list(self._shared.get(user, []))

    def reset(self) -> None:
        self._pending.clear()
        self._shared.clear()

    def call(self, method: str, body: dict[str, Any], base_url: str) -> tuple[str, Answer] | None:
        """The user concerned and the answer to a Web API call; None for a method played elsewhere."""
        if method == "conversations.open":
            return self.open_conversation(body)
        if method == "files.getUploadURLExternal":
            return self.upload_url(body, base_url)
        if method == "files.completeUploadExternal":
            return self.complete(body)
        return None

    def open_conversation(self, body: dict[str, Any]) -> tuple[str, Answer]:
        """The user, and the answer: their direct conversation with the app."""
        user = str(body.get("users", ""))
        if not user or "," in user:
            return user, (200, {"ok": False, "error": "users_list_not_supplied"})
        return user, (200, {"ok": True, "channel": {"id": f"D{user}"}})

    def upload_url(self, body: dict[str, Any], base_url: str) -> tuple[str, Answer]:
        filename, length = str(body.get("filename", "")), str(body.get("length", ""))
        if not filename or not length.isdigit():
            return "", (200, {"ok": False, "error": "invalid_arguments"})
        file_id = f"F{next(self._ids):08d}"
        self._pending[file_id] = _Upload(filename, int(length))
        return file_id, (200, {"ok": True, "upload_url": f"{base_url}/upload/{file_id}", "file_id": file_id})

    def upload(self, file_id: str, content: bytes) -> int:
        """The bytes posted to an upload URL; Slack's upload endpoint answers 200 or an error status."""
        pending = self._pending.get(file_id)
        if pending is None or pending.content is not None:
            return 404
        if len(content) != pending.length:
            return 400
        pending.content = content
        return 200

    def complete(self, body: dict[str, Any]) -> tuple[str, Answer]:
        """Share uploaded files in a user's direct conversation; the user, and the answer."""
        channel = str(body.get("channel_id", ""))
        files = json.loads(str(body.get("files", "[]")))
        if not channel.startswith("D") or not files:
            return "", (200, {"ok": False, "error": "invalid_arguments"})
        user = channel[1:]
        uploaded = {}
        for item in files:
            file_id = str(item.get("id"))
            content = self._pending[file_id].content if file_id in self._pending else None
            if content is None:
                return user, (200, {"ok": False, "error": "file_not_found"})
            filename = self._pending[file_id].filename
            uploaded[file_id] = SharedFile(file_id, channel, filename, str(item.get("title") or filename), content)
        for file_id, shared in uploaded.items():
            del self._pending[file_id]
            self._shared.setdefault(user, []).append(shared)
        done = [
            {"id": f.file_id, "name": f.filename, "title": f.title, "channels": [channel]} for f in uploaded.values()
        ]
        return user, (200, {"ok": True, "files": done})
