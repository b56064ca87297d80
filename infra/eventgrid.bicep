// Step 3 of the deployment (after main.bicep or premium.bicep, and after the code): the Event Grid subscription that
// turns every BlobCreated event under imports/ into an invocation of the importDrop blob trigger
// ([BlobTrigger("imports/{name}", Source = BlobTriggerSource.EventGrid)]). Events go to the blob extension's webhook,
// authenticated with the host's blobs_extension system key; the host creates that key when it first starts with a
// blob trigger of the Event Grid source, so this template only works once the package is deployed and running.
// Event Grid validates the webhook when the subscription is created: the app must answer by then.
//
// Events that Event Grid gives up on (30 attempts within a day) are not lost for good: importSweepTimer re-lists the
// imports container every %ImportSweepSchedule%, and the receipts of ImportDropDispatcher make both paths import each
// blob version once.
targetScope = 'resourceGroup'

@description('The function app: output functionAppName of main.bicep or premium.bicep.')
param appName string

@description('The storage account\'s Event Grid system topic: output eventGridSystemTopicName of main.bicep or premium.bicep.')
param systemTopicName string

// The blob-trigger function (functions.metadata) and the container its path watches (StorageNames.ImportsContainer).
var importFunction = 'importDrop'
var importsContainer = 'imports'

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: appName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource importsCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: systemTopic
  name: 'imports-blob-created'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        // listKeys on the host (Microsoft.Web/sites/host has no Bicep types, so not a resource symbol).
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${importFunction}&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        // One blob per delivery: the trigger queues one import per blob version.
        maxEventsPerBatch: 1
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${importsContainer}/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output subscriptionName string = importsCreated.name
output functionName string = importFunction
