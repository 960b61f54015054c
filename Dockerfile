# syntax=docker/dockerfile:1
# The engine's image: one executable (src/Host), run as API + workers or as API only (Host__Role), see docs/deploy.md.
#   docker build -t grocery-workflows:dev .
#
# The build stage uses the SDK of the image tag rather than global.json's feature band: the SDK images follow the newest
# 10.0 band, and a band pin that the image lacks would stop the build. Pin the SDK with --build-arg SDK_IMAGE=... when
# the image must be built by exactly the SDK of CI.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
# "-extra" carries tzdata (stores have time zones: TimeZoneInfo.FindSystemTimeZoneById) and ICU; the plain chiseled
# image has neither. No shell, no package manager, user "app" (1654).
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled-extra

FROM ${SDK_IMAGE} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /source

# Restore first, from the project files and the central props only: the package layer is rebuilt when a package or a
# project reference changes, not on every source edit.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Contracts/Grocery.Workflows.Contracts.csproj src/Contracts/
COPY src/Persistence/Grocery.Workflows.Persistence.csproj src/Persistence/
COPY src/Messaging/Grocery.Workflows.Messaging.csproj src/Messaging/
COPY src/Sagas/Grocery.Workflows.Sagas.csproj src/Sagas/
COPY src/Consumers/Grocery.Workflows.Consumers.csproj src/Consumers/
COPY src/Api/Grocery.Workflows.Api.csproj src/Api/
COPY src/OpsConsole/Grocery.Workflows.OpsConsole.csproj src/OpsConsole/
COPY src/Host/Grocery.Workflows.Host.csproj src/Host/
RUN dotnet restore src/Host/Grocery.Workflows.Host.csproj

COPY .editorconfig ./
COPY src/ src/
RUN dotnet publish src/Host/Grocery.Workflows.Host.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM ${RUNTIME_IMAGE} AS runtime
ARG RUNTIME_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="grocery-workflows" \
      org.opencontainers.image.description="Grocery.Workflows: the order-workflow engine (HTTP API, MassTransit sagas and consumers, Quartz jobs)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"

# Urls overrides appsettings.json's loopback address (and the base image's ASPNETCORE_HTTP_PORTS); the management server
# (GET /metrics) stays on its loopback address 127.0.0.1:9464 until Management__Urls says otherwise (k8s/base/configmap.yaml
# does). The GC and PGO settings come from the Host project's runtimeconfig.json. Diagnostics stay on (dotnet-counters,
# dumps): their IPC socket goes to /tmp, which Kubernetes mounts as an emptyDir under the read-only root file system.
# Production: the simulator and the sandbox payment provider are off, and the engine refuses to start if a setting
# turns either on, or if AllowedHosts is * or empty (appsettings.json allows localhost, 127.0.0.1 and [::1]).
ENV Urls=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production

WORKDIR /app
# Owned by root: the app user can read its binaries, not change them.
COPY --from=build /app ./

USER $APP_UID
EXPOSE 8080

# Exec form: the image has no shell and no curl. The probe mode answers 0 when the URL answers 2xx within 3 s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["dotnet", "/app/Grocery.Workflows.Host.dll", "--probe", "http://127.0.0.1:8080/health/live"]

ENTRYPOINT ["dotnet", "/app/Grocery.Workflows.Host.dll"]
