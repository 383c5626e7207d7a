"""Run the retention sweep once, now, with the local settings: the function the daily timer runs on Azure,
which the local host does not schedule.

    python -m local.expire        (make expire)

Settings come from the environment, then ``local.settings.json``, then its example, as for ``make run``;
with the example's, that is the Azurite ``make run`` starts, so run it while ``make run`` serves.
"""

from __future__ import annotations

import logging
import sys

from azure.core.exceptions import AzureError
from azure.functions.timer import TimerRequest

from local.host import HostError, configure_logging
from local.host.indexing import load_app
from local.host.settings import ROOT, apply_settings

FUNCTION = "expire_old_entries"

log = logging.getLogger("local.expire")


def main() -> int:
    configure_logging()
    apply_settings(ROOT)
    try:
        app = load_app(ROOT)
    except HostError as error:
        log.error("%s", error)
        return 1
    (sweep,) = [f.get_user_function() for f in app.get_functions() if f.get_function_name() == FUNCTION]
    try:
        sweep(TimerRequest(past_due=False))
    except AzureError as error:  # the SDK's retries are spent: say so in a line, not a traceback
        log.error("The sweep could not reach storage (%s): is `make run` serving?", type(error).__name__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
