using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Recsys.Functions.Composition;
using Recsys.Functions.Http;
using Recsys.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<RequestBodyLimitMiddleware>(HttpMiddleware.IsHttp);
builder.UseWhen<ProblemDetailsMiddleware>(HttpMiddleware.IsHttp);
builder.Services.AddRecsys(builder.Configuration);
builder.AddRecsysTelemetry();
builder.Build().Run();
