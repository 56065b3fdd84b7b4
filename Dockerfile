# Multi-stage build of the gateway.
#   CPU (default):  docker build -t serving .
#   CUDA:           docker build -t serving:cuda --build-arg ORT_FLAVOR=Gpu --build-arg RUNTIME_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 .
# The CUDA image carries Microsoft.ML.OnnxRuntime.Gpu (selected by the MSBuild property OnnxRuntimeFlavor)
# and runs with --Serving:OnnxRuntime:ExecutionProvider=auto (CUDA when the container sees a GPU).
ARG RUNTIME_BASE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG ORT_FLAVOR=Cpu
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Serving.sln ./
COPY src/ src/
RUN dotnet publish src/Serving.Gateway/Serving.Gateway.csproj -c Release -o /app -p:OnnxRuntimeFlavor=${ORT_FLAVOR}

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS aspnet

FROM ${RUNTIME_BASE} AS runtime
# On the CUDA base the .NET runtime is copied in; on the aspnet base this is a no-op overwrite.
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=build /app ./
COPY models/ /models/
ENV ASPNETCORE_URLS=http://0.0.0.0:8000 \
    Serving__ModelRepository=/models \
    DOTNET_gcServer=1
# 8000: REST; 8001: gRPC (Serving:Grpc:Url).
EXPOSE 8000 8001
USER 65532
ENTRYPOINT ["dotnet", "/app/Serving.Gateway.dll"]
