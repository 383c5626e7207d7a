"""Run in a fresh interpreter by the ack-imports check: import the app, acknowledge one signed command
(read as JSON from stdin) with the HTTP function, and print which worker-side modules got imported.

    python -m bench.first_ack < request.json     # {"headers": {...}, "body": "..."}; settings from the env
"""

from __future__ import annotations

import json
import sys

# Module prefixes the HTTP path has no use for (issue 5: "no azure.data.tables, no Block Kit").
WORKER_ONLY = {
    "azure.data.tables": "azure.data.tables",
    "slack_sdk.models": "Block Kit (slack_sdk.models)",
    "interactions.slack.blocks": "Block Kit (interactions.slack.blocks)",
    "interactions.store": "interactions.store",
}


def main() -> int:
    request = json.loads(sys.stdin.read())
    import azure.functions as func

    from bench.functions import registered_functions

    response = registered_functions()["slack_commands"](
        func.HttpRequest(
            method="POST",
            url="http://localhost:7071/api/slack/commands",
            headers=request["headers"],
            body=request["body"].encode(),
        )
    )
    if response.status_code != 200 or response.get_body():
        print(f"the HTTP function answered {response.status_code}: {response.get_body()!r}", file=sys.stderr)
        return 1
    loaded = [name for prefix, name in WORKER_ONLY.items() if prefix in sys.modules]
    print(json.dumps({"loaded": loaded}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
