# syntax=docker/dockerfile:1
# Multi-stage build: the SDK image builds and publishes; the runtime image runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Node.js and npm build the front-end assets during the build (GraphiQL IDE, ECharts); the runtime image needs neither.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/DataOpen.Api/DataOpen.Api.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY datasets/ ./datasets/
COPY seeds/ ./seeds/
ENV Urls=http://+:8080 \
    DataOpen__DatasetsPath=/app/datasets \
    DataOpen__SeedsPath=/app/seeds \
    DOTNET_RUNNING_IN_CONTAINER=true
# The aspnet image ships the unprivileged user "app" (uid 1654).
USER app
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["dotnet", "DataOpen.Api.dll", "healthcheck", "http://localhost:8080/health/ready"]
ENTRYPOINT ["dotnet", "DataOpen.Api.dll"]
