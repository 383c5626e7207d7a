"""Run in a fresh interpreter by the ack-imports check: import the app, acknowledge one signed command
(read as JSON from stdin) with the HTTP function, and print which worker-side modules got imported and
whether the command was queued.

    python -m bench.first_ack < request.json     # {"headers": {...}, "body": "..."}; settings from the env
"""

from __future__ import annotations

import json
import sys

# Modules only the queue worker uses: an acknowledgement that imports one pays for it on a cold start.
WORKER_ONLY = ("azure.data.tables", "slack_sdk.models", "interactions.slack.blocks", "interactions.store")
BLOCK_KIT = ("slack_sdk.models", "interactions.slack.blocks")


def shown(module: str) -> str:
    return f"Block Kit ({module})" if module in BLOCK_KIT else module


def main() -> int:
    request = json.loads(sys.stdin.read())
    import azure.functions as func

    from testkit.functions import registered_functions

    response = registered_functions()["slack_commands"](
        func.HttpRequest(
            method="POST",
            url="http://localhost:7071/api/slack/commands",
            headers=request["headers"],
            body=request["body"].encode(),
        )
    )
    if response.status_code != 200:
        print(f"the HTTP function answered {response.status_code}: {response.get_body()!r}", file=sys.stderr)
        return 1
    loaded = [shown(module) for module in WORKER_ONLY if module in sys.modules]
    # An answer in the body tells the member the queue did not take the command (or did not say so in time).
    print(json.dumps({"loaded": loaded, "queued": not response.get_body()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
