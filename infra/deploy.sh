#!/usr/bin/env bash
# Builds the Functions package (infra/package.sh) and prints — does not run — the az commands that deploy Recsys in
# three steps: infrastructure (main.bicep: Flex Consumption; --premium: premium.bicep, Linux EP1), code (the zip),
# then the Event Grid subscription of the imports blob trigger (eventgrid.bicep), which needs the deployed code.
# Review them, then paste them into a shell logged in with `az login`.
# Usage: infra/deploy.sh [--group rg-recsys] [--location westeurope] [--name recsys] [--premium] [--skip-package]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
group=rg-recsys
location=westeurope
name=recsys
template=main.bicep
package=true
while [ $# -gt 0 ]; do
  case "$1" in
    --group|-g) group=$2; shift 2 ;;
    --location|-l) location=$2; shift 2 ;;
    --name|-n) name=$2; shift 2 ;;
    --premium) template=premium.bicep; shift ;;
    --skip-package) package=false; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if ! [[ $name =~ ^[a-z0-9]{3,11}$ ]]; then
  echo "--name must be 3 to 11 lowercase letters or digits (it prefixes the storage account name)" >&2
  exit 2
fi

zip="$root/artifacts/recsys-functions.zip"
if [ "$package" = true ]; then
  echo "# Building the package (dotnet publish of functions/Recsys.Functions, zipped)…" >&2
  zip=$("$root/infra/package.sh" "$zip")
fi
[ -f "$zip" ] || { echo "no package at $zip (run without --skip-package)" >&2; exit 1; }
zip_rel=$(realpath --relative-to="$root" "$zip")

cat <<COMMANDS
# Package: $zip_rel ($(du -h "$zip" | cut -f1))
# Run from the repository root, logged in with az login (and az account set -s <subscription>).
# The deploying account needs Owner or User Access Administrator on the group: the template assigns roles.

# 0. Resource group
az group create --name $group --location $location

# 1. Infrastructure: storage (containers, queues, tables) and its Event Grid system topic, Log Analytics, Application
#    Insights, the app's user-assigned identity and its data roles, the plan and the app (dotnet-isolated 10.0).
az deployment group create --resource-group $group --name recsys \\
  --template-file infra/$template --parameters baseName=$name
app=\$(az deployment group show -g $group -n recsys --query properties.outputs.functionAppName.value -o tsv)
topic=\$(az deployment group show -g $group -n recsys --query properties.outputs.eventGridSystemTopicName.value -o tsv)

# 2. Code: the zip (on Flex Consumption it goes through OneDeploy into the app-package container)
az functionapp deployment source config-zip --resource-group $group --name "\$app" --src $zip_rel
#    (alternative) az functionapp deploy --resource-group $group --name "\$app" --src-path $zip_rel --type zip
#    Wait until the host has started and created the blob extension's system key (prints the key's length, not the
#    key; 0 means not yet):
az functionapp keys list --resource-group $group --name "\$app" --query "length(systemKeys.blobs_extension || '')"

# 3. Event Grid: BlobCreated under imports/ → the importDrop blob trigger's webhook, with that key
az deployment group create --resource-group $group --name recsys-eventgrid \\
  --template-file infra/eventgrid.bicep --parameters appName="\$app" systemTopicName="\$topic"

# Check: the health endpoint answers, then the keys for the API
curl -s "https://\$(az functionapp show -g $group -n "\$app" --query defaultHostName -o tsv)/api/health"
az functionapp keys list --resource-group $group --name "\$app"
COMMANDS

cat <<'NOTES'

# Notes
# - Why three steps: the Event Grid webhook URL carries the host's blobs_extension key, which only exists once the
#   code is deployed and the host has started; creating the subscription also makes Event Grid call the webhook once
#   to validate it. If step 3 fails with a validation error, the app is still starting: run step 3 again.
# - Imports: drop CSVs at imports/{datasetGroup}/{Interactions|Items|Users}/{file}.csv; each BlobCreated event invokes
#   importDrop, which queues one import per blob version, and importSweepTimer re-lists the container every
#   ImportSweepSchedule for any event that was missed. Uploading with your own account needs a data role on the
#   storage account (e.g. Storage Blob Data Contributor):
#     az storage blob upload --auth-mode login --account-name <storage> -c imports -n movies/Interactions/ratings.csv -f ratings.csv
# - Scaling (Flex Consumption): the HTTP functions share one group of instances (httpAlwaysReadyInstances kept warm);
#   trainingJob, importJob and batchJob each scale on instances of their own, so training never takes serving's cores.
#   Premium runs every function on every instance.
# - No keys: the storage account has shared-key access off (main.bicep); the host, its extensions and the worker use the
#   user-assigned identity through AzureWebJobsStorage__blobServiceUri/__queueServiceUri/__tableServiceUri,
#   __credential and __clientId. premium.bicep keeps shared keys on only for the Azure Files content share Premium needs.
# - Schedules are parameters: --parameters importSweepSchedule='0 */5 * * * *' retrainSchedule='0 0 3 * * *'
#   campaignRefreshSchedule='0 */15 * * * *' eventCompactionSchedule='0 20 * * * *' (NCRONTAB, six fields, UTC).
# - Other settings (Recsys__Serving__ModelCacheMegabytes, Recsys__Http__MaxRequestBodyBytes, …):
#     az functionapp config appsettings set -g <group> -n <app> --settings Recsys__Serving__ModelCacheMegabytes=3072
# - Redeploying code is step 2 alone; re-running step 1 or 3 is safe (the templates are idempotent).
# - Validate the templates and the package offline first: dotnet test tests/Recsys.Infrastructure.Tests.
NOTES
