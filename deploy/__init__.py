"""One-command, keyless deploy to Azure Functions Flex Consumption: ``make deploy NAME=... LOCATION=...``.

The plan (``plan.py``) is written once against a runner (``runner.py``): the real one runs ``az`` and ``func``;
the dry one prints each command and answers with placeholders, so the same code is shown, tested and checked
against the real CLI's parser (``check.py``) without an Azure login.
"""
