"""A subscription as ``az`` would answer the deploy: by default one where an earlier deploy already did
everything; a test changes what it needs through ``answers``. Every command is recorded, none is run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from deploy.alerts import log_rules
from deploy.config import Config, Names, vault_reference
from deploy.preflight import unsigned_token
from deploy.runner import Arg, CommandFailed, Secret, shown

FAKE_SIGNING_SECRET = "fake-signing-secret-8c1f"
FAKE_BOT_TOKEN = "xoxb-fake-bot-token-77aa"
SECRET_ENV = {"SLACK_SIGNING_SECRET": FAKE_SIGNING_SECRET, "SLACK_BOT_TOKEN": FAKE_BOT_TOKEN}
ARGS = ["--name", "demo", "--location", "westeurope", "--yes"]
NAMES = Names.of(Config("demo", "westeurope"))
SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
GROUP_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/demo-rg"
STORAGE_ID = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/{NAMES.storage}"
INSIGHTS_ID = f"{GROUP_ID}/providers/Microsoft.Insights/components/{NAMES.insights}"
VAULT_ID = f"{GROUP_ID}/providers/Microsoft.KeyVault/vaults/{NAMES.vault}"
IDENTITY_ID = f"{GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{NAMES.identity}"
PLAN_ID = f"{GROUP_ID}/providers/Microsoft.Web/serverfarms/plan"
VAULT_URI = f"https://{NAMES.vault}.vault.azure.net/"
FAILS = object()  # an answer: the command fails (exit 1)
NOT_FOUND = object()  # an answer: the resource does not exist (the CLI's exit 3)
REFUSED = object()  # an answer to `func ... publish`: storage refuses the package (403)
CHANGES = (" create ", " set ", " delete ", " update ", " restart ", " recover ")


def deployed_settings() -> dict[str, str]:
    return {
        "SLACK_SIGNING_SECRET": vault_reference(VAULT_URI, "slack-signing-secret"),
        "SLACK_BOT_TOKEN": vault_reference(VAULT_URI, "slack-bot-token"),
        "INTERACTIONS_PSEUDONYM_KEY": vault_reference(VAULT_URI, "pseudonym-key"),
        "INTERACTIONS_QUEUE": "slack-commands",
        "INTERACTIONS_TABLE": "interactions",
        "AzureWebJobsStorage__accountName": NAMES.storage,
        "AzureWebJobsStorage__credential": "managedidentity",
        "AzureWebJobsStorage__clientId": "client-id",
        "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=k",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "ClientId=client-id;Authorization=AAD",
        "PYTHON_THREADPOOL_THREAD_COUNT": "8",
    }


def _deployed() -> dict[str, object]:
    tags = {"app": "interactions"}
    roles = [(r, STORAGE_ID) for r in ("Storage Blob Data Owner", "Storage Queue Data Contributor",
                                       "Storage Table Data Contributor")]  # fmt: skip
    roles += [("Monitoring Metrics Publisher", INSIGHTS_ID), ("Key Vault Secrets User", VAULT_ID),
              ("Key Vault Secrets Officer", VAULT_ID)]  # fmt: skip
    resources = [(f"{NAMES.app}-failures", "Microsoft.Insights/metricAlerts")]
    resources += [(f"{NAMES.app}-{r.suffix}", "Microsoft.Insights/scheduledQueryRules") for r in log_rules()]
    return {
        **{f"az resource show -g demo-rg -n {NAMES.app}-{r.suffix} ": r.query for r in log_rules()},
        "az account show": {"name": "Contoso", "id": SUBSCRIPTION, "user": {"type": "user", "name": "me"}},
        "az functionapp list-flexconsumption-locations": ["westeurope", "northeurope"],
        "az functionapp list-flexconsumption-runtimes": ["3.11", "3.12"],
        "az group show -n demo-rg --query {location:location}": {"location": "westeurope"},
        "az group show": {"id": GROUP_ID, "tags": tags},
        "az rest --method get --url https://management.azure.com/subscriptions/" + SUBSCRIPTION + "/resourceGroups/"
        "demo-rg/providers/Microsoft.Authorization/permissions": [{"actions": ["*"], "notActions": []}],
        "az rest --method get --url https://management.azure.com/subscriptions/" + SUBSCRIPTION + "/providers/"
        "Microsoft.Authorization/permissions": [{"actions": ["*"], "notActions": []}],
        "az account get-access-token": unsigned_token({"oid": "caller-id"}),
        "az ad signed-in-user show": "caller-id",
        "func --version": "4.0.7030",
        "az functionapp list": [{"group": "demo-rg", "plan": PLAN_ID}],
        "az appservice plan show": "FlexConsumption",
        "az keyvault list-deleted": "",
        "az functionapp config appsettings list": [{"name": k, "value": v} for k, v in deployed_settings().items()],
        "az monitor log-analytics workspace show": f"{GROUP_ID}/providers/Microsoft.OperationalInsights/workspaces/w",
        "az resource show -g demo-rg -n demo-insights": {
            "id": INSIGHTS_ID,
            "connectionString": "InstrumentationKey=k",
            "disableLocalAuth": True,
        },
        "az storage account show": {"id": STORAGE_ID, "sharedKey": False, "tls": "TLS1_2", "publicBlob": False},
        "az identity show": {"id": IDENTITY_ID, "principalId": "principal-id", "clientId": "client-id"},
        "az keyvault show": {"id": VAULT_ID, "uri": VAULT_URI, "rbac": True, "purge": True},
        "az role assignment list --all --assignee-object-id caller-id": [
            {"role": "Key Vault Secrets Officer", "scope": VAULT_ID}
        ],
        "az role assignment list": [{"role": r, "scope": s.upper()} for r, s in roles],
        "az keyvault secret list": ["slack-signing-secret", "slack-bot-token", "pseudonym-key"],
        "az keyvault secret show --vault-name " + NAMES.vault + " --name slack-signing-secret": FAKE_SIGNING_SECRET,
        "az keyvault secret show --vault-name " + NAMES.vault + " --name slack-bot-token": FAKE_BOT_TOKEN,
        "az functionapp deployment config show": {"type": "UserAssignedIdentity", "identity": IDENTITY_ID.upper()},
        "az resource show -g demo-rg -n demo-func": {"httpsOnly": True, "vaultIdentity": IDENTITY_ID},
        "az resource show -g demo-rg -n scm": "false",
        "az resource show -g demo-rg -n ftp": "false",
        "az functionapp config show": {"ftps": "Disabled", "tls": "1.2"},
        "az functionapp scale config show": {
            "alwaysReady": [
                {"name": "http", "instanceCount": 1},
                {"name": "function:process_queued_message", "instanceCount": 1},
            ],
            "instanceMemoryMB": 2048,
            "maximumInstanceCount": 10,
            "http": 4,
        },
        "az resource list": [{"id": f"{GROUP_ID}/x/{n}", "name": n, "type": t, "tags": tags} for n, t in resources],
        "az rest --method get --url https://management.azure.com/subscriptions/" + SUBSCRIPTION + "/resourceGroups/"
        "demo-rg/providers/Microsoft.Web/sites/demo-func/config/configreferences": [
            {"name": n, "status": "Resolved"}
            for n in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "INTERACTIONS_PSEUDONYM_KEY")
        ],
        "az rest --method get --url https://management.azure.com/subscriptions/" + SUBSCRIPTION + "/resourceGroups/"
        "demo-rg/providers/Microsoft.Web/sites/demo-func/host": "Running",
        "az functionapp show": "demo-func-a1b2.westeurope-01.azurewebsites.net",
    }


@dataclass
class Subscription:
    """Answers by the longest matching command prefix; a list of answers is used in turn, its last kept."""

    answers: dict[str, object] = field(default_factory=dict)
    dry: bool = False
    commands: list[list[Arg]] = field(default_factory=list)
    pauses: int = 0

    def __post_init__(self) -> None:
        self.answers = {**_deployed(), **self.answers}

    def _answer(self, argv: Sequence[Arg]) -> object:
        words = " ".join(a for a in argv if isinstance(a, str))
        matches = [p for p in self.answers if words.startswith(p)]
        if not matches:
            return ""
        answer = self.answers[max(matches, key=len)]
        if isinstance(answer, Sequence) and not isinstance(answer, str) and answer and answer[0] is TURNS:
            turns = list(answer[1:])
            self.answers[max(matches, key=len)] = [TURNS, *turns[1:]] if len(turns) > 1 else turns[0]
            answer = turns[0]
        return answer

    def run(self, argv: Sequence[Arg], *, dry_result: str = "") -> str:
        self.commands.append(list(argv))
        answer = self._answer(argv)
        if answer is FAILS:
            raise CommandFailed(shown(argv), 1, "ERROR: (Forbidden) not yet")
        if answer is NOT_FOUND:
            raise CommandFailed(shown(argv), 3, "ERROR: (ResourceNotFound) not there")
        return answer if isinstance(answer, str) else json.dumps(answer)

    def find(self, argv: Sequence[Arg], *, dry_result: str | None = None) -> str | None:
        try:
            return self.run(argv) or None
        except CommandFailed as error:
            if error.returncode == 3:
                return None
            raise

    def publish(self, argv: Sequence[Arg]) -> None:
        self.commands.append(list(argv))
        answer = self._answer(argv)
        if answer is REFUSED:
            raise CommandFailed(shown(argv), 1, "Error: BlobUploadFailed: 403 This request is not authorized.")
        if answer is FAILS:
            raise CommandFailed(shown(argv), 1, "Error: Syntax error in function_app.py")

    def pause(self, seconds: float) -> None:
        self.pauses += 1

    def lines(self) -> list[str]:
        return [shown(argv) for argv in self.commands]

    def changes(self) -> list[str]:
        return [line for line in self.lines() if any(word in f"{line} " for word in CHANGES)]

    def secrets_passed(self) -> list[Secret]:
        return [a for argv in self.commands for a in argv if isinstance(a, Secret)]


TURNS = object()  # first item of an answer list: the answers given one call after another


def turns(*answers: object) -> list[object]:
    return [TURNS, *answers]
