// Recsys on a Linux Flex Consumption plan: the .NET 10 isolated-worker app (runtime dotnet-isolated 10.0; the package
// is infra/package.sh's `dotnet publish` output) with identity-based storage and Application Insights.
// Deployment has three steps, printed by infra/deploy.sh: this template (infrastructure), the package (code), then
// infra/eventgrid.bicep (the Event Grid subscription of the importDrop blob trigger, which needs the host's
// blobs_extension key and so the deployed code).
//
// Scaling — Flex scales per function, so training never takes cores from serving:
// - all HTTP functions (recommendations, events, manage, health) form one group on their own instances, with
//   httpAlwaysReadyInstances of them kept warm;
// - the Event Grid blob trigger (importDrop, which only queues an import) forms the "blob" group;
// - every queue function scales on its own instances: trainingJob, importJob and batchJob (and the three poison-queue
//   functions), so a training runs on instances that serve no request and a burst of imports adds import instances;
// - each timer function runs on its own instances as well.
// All instances have the same memory (instanceMemoryMB), sized for training. How many messages one instance of a queue
// function takes at once is host.json's extensions.queues (batchSize + newBatchThreshold), the same for every queue.
targetScope = 'resourceGroup'

@description('Base name; lowercase letters and digits, used to derive resource names.')
@minLength(3)
@maxLength(11)
param baseName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 4096

@description('Largest number of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Instances of the HTTP group kept running (billed while idle), so that serving never waits for a cold start. 0 lets serving scale to zero.')
@minValue(0)
@maxValue(100)
param httpAlwaysReadyInstances int = 1

@description('Concurrent HTTP requests per instance before Flex adds an instance to the HTTP group; null keeps the platform default for the instance size.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int?

@description('NCRONTAB (six fields, UTC) of the import sweep timer (%ImportSweepSchedule%): the safety net for missed Event Grid events.')
param importSweepSchedule string = '0 */5 * * * *'

@description('NCRONTAB (six fields, UTC) of the scheduled-retraining timer (%RetrainSchedule%).')
param retrainSchedule string = '0 0 3 * * *'

@description('NCRONTAB (six fields, UTC) of the campaign-refresh timer (%CampaignRefreshSchedule%).')
param campaignRefreshSchedule string = '0 */15 * * * *'

@description('NCRONTAB (six fields, UTC) of the event compaction timer (%EventCompactionSchedule%): real-time events into dataset segments.')
param eventCompactionSchedule string = '0 20 * * * *'

@description('NCRONTAB (six fields, UTC) of the job watchdog (%JobWatchdogSchedule%): fails jobs whose heartbeat stopped and no delivery will finish.')
param jobWatchdogSchedule string = '0 */5 * * * *'

var suffix = uniqueString(resourceGroup().id, baseName)
var appName = '${baseName}-func-${take(suffix, 6)}'
var identityName = '${baseName}-id-${take(suffix, 6)}'
var deploymentContainer = 'app-package'

module environment 'modules/environment.bicep' = {
  name: 'recsys-environment'
  params: {
    baseName: baseName
    location: location
    identityName: identityName
    allowSharedKeyAccess: false
    deploymentContainerName: deploymentContainer
  }
}

// Created by the module; referenced here because a site's identity must be known when the deployment starts.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${baseName}-plan-${take(suffix, 6)}'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${environment.outputs.blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Only the HTTP group is kept warm; trainingJob, importJob and batchJob start instances of their own when
        // messages arrive and give them back when the queue is empty.
        alwaysReady: httpAlwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: httpAlwaysReadyInstances }] : []
        triggers: httpPerInstanceConcurrency == null ? null : { http: { perInstanceConcurrency: httpPerInstanceConcurrency! } }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION: Flex takes both from functionAppConfig.
      appSettings: [
        // Identity-based storage (no keys) for the host and its extensions (queue, blob and timer triggers) and for
        // the worker's own clients (StorageOptions.FromSettings reads the same settings).
        { name: 'AzureWebJobsStorage__blobServiceUri', value: environment.outputs.blobEndpoint }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: environment.outputs.queueEndpoint }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: environment.outputs.tableEndpoint }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: environment.outputs.identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: environment.outputs.appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${environment.outputs.identityClientId};Authorization=AAD' }
        { name: 'ImportSweepSchedule', value: importSweepSchedule }
        { name: 'RetrainSchedule', value: retrainSchedule }
        { name: 'CampaignRefreshSchedule', value: campaignRefreshSchedule }
        { name: 'EventCompactionSchedule', value: eventCompactionSchedule }
        { name: 'JobWatchdogSchedule', value: jobWatchdogSchedule }
      ]
    }
  }
}

output functionAppName string = app.name
output defaultHostName string = app.properties.defaultHostName
output storageAccountName string = environment.outputs.storageAccountName
output eventGridSystemTopicName string = environment.outputs.systemTopicName
// Where each function runs (Flex per-function scaling): the queue functions never share instances with serving.
output scaleGroups object = {
  http: 'every HTTP function, one group; ${httpAlwaysReadyInstances} always ready'
  blob: 'importDrop (Event Grid blob trigger), one group'
  ownInstances: ['trainingJob', 'importJob', 'batchJob', 'importJobPoison', 'trainingJobPoison', 'batchJobPoison', 'retrainTimer', 'campaignRefreshTimer', 'eventCompactionTimer', 'importSweepTimer', 'jobWatchdogTimer']
}
