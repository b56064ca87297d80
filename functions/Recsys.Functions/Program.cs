using Recsys.Functions;
using Recsys.Functions.Demo;

if (args.Length > 0 && args[0] == "generate")
{
    return await GenerateCommand.RunAsync(args);
}

var app = RecsysApp.Build(args);
await app.RunAsync();
return 0;
