// Recsys on a Linux Elastic Premium (EP1) plan: the same .NET 10 isolated-worker package and the same environment as
// main.bicep (modules/environment.bicep) on an always-warm plan. Premium keeps the app's files on an Azure Files share,
// which needs an account key (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING), so this variant leaves shared-key access on;
// the app itself still reaches storage with its managed identity. The deployment steps are main.bicep's (infrastructure,
// code, then infra/eventgrid.bicep for the importDrop blob trigger).
//
// Scaling: Premium scales the app as a whole — every instance runs every function, so a training shares its instance's
// cores with the HTTP functions. Flex Consumption (main.bicep) runs trainingJob, importJob and batchJob on instances of
// their own; prefer it when training must not slow serving.
targetScope = 'resourceGroup'

@description('Base name; lowercase letters and digits, used to derive resource names.')
@minLength(3)
@maxLength(11)
param baseName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Largest number of instances the plan scales out to.')
@minValue(1)
@maxValue(100)
param maximumElasticWorkerCount int = 20

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

module environment 'modules/environment.bicep' = {
  name: 'recsys-environment'
  params: {
    baseName: baseName
    location: location
    identityName: identityName
    allowSharedKeyAccess: true
  }
}

// Same name the module derives; declared here to read the key for the content share.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: toLower('${baseName}${take(suffix, 11)}')
}

// Created by the module; referenced here because a site's identity must be known when the deployment starts.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${baseName}-plan-${take(suffix, 6)}'
  location: location
  kind: 'elastic'
  sku: {
    name: 'EP1'
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumElasticWorkerCount
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
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
        { name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING', value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${az.environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}' }
        { name: 'WEBSITE_CONTENTSHARE', value: toLower(appName) }
        // Identity-based storage (no keys) for the host, its extensions and the worker's own clients.
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
