// Recsys on a Linux Flex Consumption plan: the custom handler (runtime 'custom', the self-contained linux-x64
// executable app/Recsys.Functions in the package) with identity-based storage, Event Grid imports and
// Application Insights. Deploy with infra/deploy.sh (which prints the az commands).
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

@description('NCRONTAB (six fields, UTC) of the import sweep: %ImportSweepSchedule% in importSweepTimer/function.json.')
param importSweepSchedule string = '0 */5 * * * *'

@description('NCRONTAB (six fields, UTC) of the scheduled-retraining timer (%RetrainSchedule%).')
param retrainSchedule string = '0 0 3 * * *'

@description('NCRONTAB (six fields, UTC) of the campaign-refresh timer (%CampaignRefreshSchedule%).')
param campaignRefreshSchedule string = '0 */15 * * * *'

@description('NCRONTAB (six fields, UTC) of the event compaction timer (%EventCompactionSchedule%): real-time events into dataset segments.')
param eventCompactionSchedule string = '0 20 * * * *'

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
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // No FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION: Flex takes both from functionAppConfig.
      appSettings: [
        // Identity-based storage for the host (triggers, timer locks) and the handler (StorageOptions.FromSettings).
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
      ]
    }
  }
}

output functionAppName string = app.name
output defaultHostName string = app.properties.defaultHostName
output storageAccountName string = environment.outputs.storageAccountName
output eventGridSystemTopicName string = environment.outputs.systemTopicName
