"""Requests as Slack sends them: the slash command form, its text escaped as Slack escapes it, and the v0
signature over the body's bytes as they are (Slack's documented scheme, computed here independently of the
slack_sdk verifier the app uses, so that the two check each other)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid

_TYPED_MENTION = re.compile(r"(?<![\w@])@([UW][A-Z0-9]+)(?![A-Za-z0-9_])")


def slack_text(typed: str) -> str:
    """The text as Slack sends it with escaping on: & < > as entities, then @U123 as a mention."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _TYPED_MENTION.sub(r"<@\1>", escaped)


def signed_headers(secret: str, body: bytes, timestamp: int | str | None = None) -> dict[str, str]:
    """The headers of a signed form post: ``v0=HMAC-SHA256(secret, "v0:<timestamp>:<body>")``. ``timestamp``
    defaults to now; a string is sent as it is, number or not."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def command_form(
    user: str, team: str, command: str, text: str, slack_url: str, *, as_typed: bool = True, **fields: str
) -> dict[str, str]:
    """The form Slack posts, with response_url and trigger_id in the stand-in's scheme (they name the user).
    ``text`` is what the member typed, sent as Slack escapes it; or, ``as_typed=False``, already as Slack
    sends it (``<@U123|name>`` mentions, ``&amp;``). ``fields`` replace the form's others (a workspace's own
    names, say)."""
    form = {
        "token": "local-verification-token",
        "team_id": team,
        "team_domain": "local",
        "channel_id": "C0LOCALCHANNEL",
        "channel_name": "local",
        "user_id": user,
        "user_name": "local-user",
        "command": command,
        "text": slack_text(text) if as_typed else text,
        "api_app_id": "A0LOCALAPP",
        "response_url": f"{slack_url.rstrip('/')}/hooks/{user}/{uuid.uuid4().hex}",
        "trigger_id": f"{user}.{uuid.uuid4().hex}",
    }
    return {**form, **fields}
