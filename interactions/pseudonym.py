"""Who owns entries, without saying who: a member's pseudonym, the PartitionKey of their entries."""

from __future__ import annotations

import hashlib
import hmac


def owner_key(pseudonym_key: bytes, team_id: str, user_id: str, enterprise_id: str | None = None) -> str:
    """Stable pseudonym for one Slack user; neither id can be read back from it. In an Enterprise Grid org
    it is the member's across all of the org's workspaces (a user id is the same in each of them), else
    the member's in one workspace."""
    if enterprise_id:
        # Hex spells each id without ':' or '/', so this input reads one way only and never as a
        # workspace's, which always holds a ':'.
        message = f"enterprise/{enterprise_id.encode().hex()}/{user_id.encode().hex()}"
    else:
        message = f"{team_id}:{user_id}"  # unchanged, so that every existing log stays its member's
    return hmac.new(pseudonym_key, message.encode(), hashlib.sha256).hexdigest()


LOG_TAG_LENGTH = 16


def log_tag(owner: str, command_id: str) -> str:
    """Who logged a command, as its Undo button carries it: a hash of the owner's pseudonym and the command's
    id, which says nothing of the pseudonym, differs from log to log, and that only its owner's press
    matches."""
    return hashlib.sha256(f"{owner}/{command_id}".encode()).hexdigest()[:LOG_TAG_LENGTH]


def view_tag(owner: str, view_id: str) -> str:
    """Whose a modal is, as its private_metadata carries it back in every press: like ``log_tag``, only the
    owner's pseudonym makes it, and it differs from modal to modal, so that no member's tag fits another's."""
    return log_tag(owner, f"view/{view_id}")
