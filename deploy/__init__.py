"""One-command, keyless deploy to Azure Functions Flex Consumption: ``make deploy NAME=... LOCATION=...``.

The plan (``plan.py``, after the read-only checks of ``preflight.py``) is written once against a runner
(``runner.py``): the real one runs ``az`` and ``func``; the dry one prints each command and answers with
placeholders; the preview one (``preview.py``, ``PLAN=1``) runs only the reads. So the same code is shown,
tested, checked offline for wrong values (``offline.py``, against ``azure_lists.json``) and checked against
the real CLI's parser (``check.py``) without an Azure login.
"""
