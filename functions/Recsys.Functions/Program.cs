using Recsys.Functions;

var app = RecsysApp.Build(args);
await app.RunAsync();
