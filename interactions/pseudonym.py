"""Who owns entries, without saying who: a member's pseudonym, the PartitionKey of their entries."""

from __future__ import annotations

import hashlib
import hmac


def owner_key(pseudonym_key: bytes, team_id: str, user_id: str) -> str:
    """Stable pseudonym for one Slack user in one workspace; neither id can be read back from it."""
    return hmac.new(pseudonym_key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
