using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OData.Routing;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DataOpen.Api.Infrastructure;

/// <summary>A query parameter an endpoint reads from the raw query string (so the API explorer cannot see it), for the OpenAPI document.</summary>
public sealed record OpenApiQueryParameter(string Name, string Description, JsonSchemaType Type = JsonSchemaType.String, string? Example = null, IReadOnlyList<string>? Values = null);

/// <summary>
/// Marks an endpoint outside <c>/api/</c> that the OpenAPI document describes all the same: the DCAT-AP catalogue,
/// SKOS themes and Atom feeds, plain HTTP resources that harvesters call (unlike the pages, OData and GraphQL).
/// </summary>
public sealed class InOpenApiDocument
{
    public static readonly InOpenApiDocument Instance = new();

    private InOpenApiDocument()
    {
    }
}

/// <summary>
/// The OpenAPI document of the REST door (<c>/swagger/v1/swagger.json</c>) and Swagger UI (<c>/swagger</c>).
/// <c>/api/...</c> endpoints are described, and those marked <see cref="InOpenApiDocument"/> (the harvest and feed
/// URLs); OData, GraphQL and the pages have their own descriptions.
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddDataOpenOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "DataOpen — 长春新区公共数据开放平台 API",
                Version = DocumentName,
                Description = "Catalogue search, dataset metadata, rows with filters and aggregation, and streamed downloads; for harvesters the DCAT-AP 3.0 catalogue, " +
                    "SKOS theme schemes, Data Packages, the CKAN Action API subset and Atom feeds. " +
                    "Errors are RFC 9457 problem+json with the parameter at fault. " +
                    "An API key is optional: anonymous callers are served the unconditionally open data at the anonymous tier.",
                Contact = new OpenApiContact
                {
                    Name = "DataOpen 长春新区公共数据开放平台 — developer page, feedback and error reports",
                    Url = new Uri("/developers", UriKind.Relative),
                },
                License = new OpenApiLicense
                {
                    Name = "CC BY 4.0 (the default licence of the open data; each dataset states its own)",
                    Url = new Uri("https://creativecommons.org/licenses/by/4.0/"),
                },
            });
            o.DocumentFilter<ServersAndSecurityFilter>();
            o.DocInclusionPredicate((_, api) =>
                ((api.RelativePath?.StartsWith("api/", StringComparison.Ordinal) ?? false) || api.ActionDescriptor.EndpointMetadata.OfType<InOpenApiDocument>().Any())
                && !api.ActionDescriptor.EndpointMetadata.OfType<IODataRoutingMetadata>().Any());
            o.OperationFilter<QueryParameterFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "DataOpen.Api.xml");
            if (File.Exists(xml))
            {
                o.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    public static WebApplication UseDataOpenOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "DataOpen API v1");
            o.DocumentTitle = "DataOpen API";
        });
        return app;
    }

    /// <summary>
    /// The server is the host that serves the document (a relative URL, so one document fits every deployment), and
    /// the three optional ways to present an API key; the empty requirement says anonymous calls are accepted too.
    /// </summary>
    private sealed class ServersAndSecurityFilter : IDocumentFilter
    {
        private static readonly (string Id, OpenApiSecurityScheme Scheme)[] Schemes =
        [
            ("apiKeyHeader", new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "An API key (dok_…) in the X-Api-Key header." }),
            ("bearer", new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key (dok_…) as Authorization: Bearer." }),
            ("apiKeyQuery", new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "api_key", Description = "An API key in the api_key query parameter, for clients that cannot set headers." }),
        ];

        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            swaggerDoc.Servers = [new OpenApiServer { Url = "/", Description = "This DataOpen instance: the host that served this document." }];
            swaggerDoc.Components ??= new OpenApiComponents();
            swaggerDoc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            swaggerDoc.Security = [new OpenApiSecurityRequirement()];
            foreach (var (id, scheme) in Schemes)
            {
                swaggerDoc.Components.SecuritySchemes[id] = scheme;
                swaggerDoc.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, swaggerDoc)] = [] });
            }
        }
    }

    /// <summary>Adds the <see cref="OpenApiQueryParameter"/> metadata of an endpoint as query parameters.</summary>
    private sealed class QueryParameterFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var declared = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<OpenApiQueryParameter>().ToList();
            if (declared.Count == 0)
            {
                return;
            }

            operation.Parameters ??= [];
            foreach (var p in declared)
            {
                var schema = new OpenApiSchema { Type = p.Type };
                if (p.Values is not null)
                {
                    schema.Enum = p.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
                }

                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = p.Name,
                    In = ParameterLocation.Query,
                    Description = p.Description,
                    Schema = schema,
                    Example = p.Example is null ? null : JsonValue.Create(p.Example),
                });
            }
        }
    }
}
