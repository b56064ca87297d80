// Everything a Recsys Functions app needs except the plan and the app: the storage account with the containers,
// queues and tables the code creates (core/Recsys.Storage/StorageNames.cs), the storage account's Event Grid system
// topic (its subscription to the importDrop blob trigger is infra/eventgrid.bicep, deployed after the code because it
// needs the host's blobs_extension key), Log Analytics with workspace-based Application Insights, and the
// user-assigned identity the app uses instead of keys, with its role assignments.
// Raw resources only (no br/public modules) so that `bicep build` works offline.
targetScope = 'resourceGroup'

@description('Base name; lowercase letters and digits, used to derive resource names.')
@minLength(3)
@maxLength(11)
param baseName string

@description('Azure region of every resource.')
param location string

@description('Whether the storage account accepts account keys. Only the Premium variant needs them (Azure Files content share).')
param allowSharedKeyAccess bool = false

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Name of the user-assigned identity the app runs as (the caller names it so that it can reference it before deployment).')
param identityName string

@description('Name of the blob container the Flex Consumption plan deploys the package to (empty: none).')
param deploymentContainerName string = ''

var suffix = uniqueString(resourceGroup().id, baseName)
var storageName = toLower('${baseName}${take(suffix, 11)}')

// StorageNames.Containers, StorageNames.Queues (with their -poison queues) and StorageNames.Tables.
var containerNames = ['imports', 'datasets', 'models', 'jobs', 'azure-webjobs-hosts']
var queueNames = ['import-jobs', 'import-jobs-poison', 'training-jobs', 'training-jobs-poison', 'batch-jobs', 'batch-jobs-poison']
var tableNames = [
  'datasetgroups'
  'schemas'
  'datasets'
  'importjobs'
  'eventtrackers'
  'events'
  'historychanges'
  'items'
  'users'
  'solutions'
  'solutionversions'
  'filters'
  'campaigns'
  'batchjobs'
  'blobreceipts'
  'deletedusers'
]

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    allowSharedKeyAccess: allowSharedKeyAccess
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for name in concat(containerNames, empty(deploymentContainerName) ? [] : [deploymentContainerName]): {
    parent: blobService
    name: name
    properties: { publicAccess: 'None' }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for name in queueNames: {
    parent: queueService
    name: name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for name in tableNames: {
    parent: tableService
    name: name
  }
]

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-logs-${take(suffix, 6)}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-ai-${take(suffix, 6)}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Local (key) auth stays on so that an exporter with only the connection string still works; the host
    // authenticates with the identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
    DisableLocalAuth: false
  }
}

// The app's identity: data-plane roles on the storage account (no account keys) and metrics publishing.
// - Blob Data Owner: the blob trigger (Event Grid source) reads the dropped blob and keeps its receipts in
//   azure-webjobs-hosts, the timers keep their locks and schedule status there, and the code writes datasets,
//   models and job files (Owner, not Contributor: what the Functions docs ask for the host's storage connection).
// - Queue Data Contributor: the queue triggers, the blob trigger's internal queue and poison queue, and the
//   job messages the code sends.
// - Table Data Contributor: Recsys's records (dataset groups, jobs, solutions, campaigns, events, receipts).
// The deployment container of the Flex plan is covered by Blob Data Owner too.
var storageRoles = [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The storage account's Event Grid system topic. Its only subscription, BlobCreated under imports/ delivered to the
// importDrop blob trigger's webhook, is infra/eventgrid.bicep: the webhook URL carries the host's blobs_extension
// system key, which exists only once the code is deployed and the host has started.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: '${baseName}-storage-events-${take(suffix, 6)}'
  location: location
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output identityId string = identity.id
output identityClientId string = identity.properties.clientId
output appInsightsName string = appInsights.name
output systemTopicName string = systemTopic.name
output appInsightsConnectionString string = appInsights.properties.ConnectionString
