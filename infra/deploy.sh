#!/usr/bin/env bash
# Builds the Functions package (infra/package.sh) and prints — does not run — the az commands that deploy Recsys:
# the resource group, the Bicep deployment (main.bicep: Flex Consumption; --premium: premium.bicep, Linux EP1),
# and the zip deployment. Review them, then paste them into a shell logged in with `az login`.
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
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if ! [[ $name =~ ^[a-z0-9]{3,11}$ ]]; then
  echo "--name must be 3 to 11 lowercase letters or digits (it prefixes the storage account name)" >&2
  exit 2
fi

zip="$root/artifacts/recsys-functions.zip"
if [ "$package" = true ]; then
  echo "# Building the package (self-contained linux-x64 handler, host.json, function.json files)…" >&2
  zip=$("$root/infra/package.sh" "$zip")
fi
[ -f "$zip" ] || { echo "no package at $zip (run without --skip-package)" >&2; exit 1; }
zip_rel=$(realpath --relative-to="$root" "$zip")

cat <<COMMANDS
# Package: $zip_rel ($(du -h "$zip" | cut -f1))
# Run from the repository root, logged in with az login (and az account set -s <subscription>).
# The deploying account needs Owner or User Access Administrator on the group: the template assigns roles.

# 1. Resource group
az group create --name $group --location $location

# 2. Infrastructure: storage (containers, queues, tables), Event Grid imports → import-jobs, Log Analytics,
#    Application Insights, the app's user-assigned identity and its role assignments, the plan and the app.
az deployment group create --resource-group $group --name recsys \\
  --template-file infra/$template --parameters baseName=$name
app=\$(az deployment group show -g $group -n recsys --query properties.outputs.functionAppName.value -o tsv)

# 3. Code: the zip (Flex Consumption deploys through OneDeploy into the app-package container)
az functionapp deployment source config-zip --resource-group $group --name "\$app" --src $zip_rel
#    (alternative) az functionapp deploy --resource-group $group --name "\$app" --src-path $zip_rel --type zip

# 4. Check: the health endpoint answers, then the keys for the API
curl -s "https://\$(az functionapp show -g $group -n "\$app" --query defaultHostName -o tsv)/api/health"
az functionapp keys list --resource-group $group --name "\$app"
COMMANDS

cat <<'NOTES'

# Notes
# - Imports: drop CSVs at imports/{datasetGroup}/{Interactions|Items|Users}/{file}.csv; Event Grid puts each
#   BlobCreated event on the import-jobs queue and the importSweepTimer re-scans every ImportSweepSchedule. Uploading
#   with your own account needs a data role on the storage account (e.g. Storage Blob Data Contributor):
#     az storage blob upload --auth-mode login --account-name <storage> -c imports -n movies/Interactions/ratings.csv -f ratings.csv
# - No keys: the storage account has shared-key access off (main.bicep); the app uses the user-assigned identity
#   through AzureWebJobsStorage__blobServiceUri/__queueServiceUri/__tableServiceUri, __credential and __clientId.
#   premium.bicep keeps shared keys on only for the Azure Files content share Premium needs.
# - Schedules are parameters: --parameters importSweepSchedule='0 */5 * * * *' retrainSchedule='0 0 3 * * *'
#   campaignRefreshSchedule='0 */15 * * * *' (NCRONTAB, six fields, UTC).
# - Other settings (Recsys__Serving__ModelCacheMegabytes, Recsys__Http__MaxRequestBodyBytes, …):
#     az functionapp config appsettings set -g <group> -n <app> --settings Recsys__Serving__ModelCacheMegabytes=3072
# - Redeploying code is step 3 alone; re-running step 2 is safe (the template is idempotent).
# - Validate the templates offline first: dotnet test tests/Recsys.Infrastructure.Tests (bicep build + lint).
NOTES
