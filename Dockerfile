# Multi-stage build of the gateway.
#   CPU (default):  docker build -t serving .
#   CUDA:           docker build -t serving:cuda --build-arg ORT_FLAVOR=Gpu --build-arg RUNTIME_BASE=nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04 .
# Build arguments:
#   ORT_FLAVOR    Cpu (Microsoft.ML.OnnxRuntime) or Gpu (Microsoft.ML.OnnxRuntime.Gpu).
#   ORT_VERSION   the ONNX Runtime package version; empty keeps the pins of Directory.Packages.props.
#   RUNTIME_BASE  the runtime image. For Gpu it must carry the CUDA and cuDNN majors the pinned GPU
#                 package was built against (CUDA 13, cuDNN 9 for 1.31.0: see Directory.Packages.props).
# The image runs as the unprivileged uid 65532 from a root-owned /app; its state (file registry and
# rollout stores) lives in the volume /var/lib/serving, owned by that uid. Mount a volume there (or
# set Serving__Redis) so the state outlives the container.
ARG RUNTIME_BASE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG ORT_FLAVOR=Cpu
ARG ORT_VERSION=
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Serving.sln ./
COPY src/ src/
RUN dotnet publish src/Serving.Gateway/Serving.Gateway.csproj -c Release -o /app -p:OnnxRuntimeFlavor=${ORT_FLAVOR} \
      ${ORT_VERSION:+-p:OnnxRuntimeVersion=${ORT_VERSION} -p:OnnxRuntimeGpuVersion=${ORT_VERSION}}

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS aspnet

FROM ${RUNTIME_BASE} AS runtime
# On the CUDA base the .NET runtime is copied in; on the aspnet base this is a no-op overwrite.
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && mkdir -p /var/lib/serving \
 && chown 65532:65532 /var/lib/serving \
 && chmod 0750 /var/lib/serving
WORKDIR /app
COPY --from=build /app ./
COPY models/ /models/
# The same settings the start-up test (tests/Serving.Functional.Tests/Hosting/ImageStartupTests.cs) uses.
ENV ASPNETCORE_URLS=http://0.0.0.0:8000 \
    Serving__ModelRepository=/models \
    Serving__StateDirectory=/var/lib/serving \
    DOTNET_gcServer=1
VOLUME ["/var/lib/serving"]
# 8000: REST; 8001: gRPC (Serving:Grpc:Url).
EXPOSE 8000 8001
USER 65532:65532
ENTRYPOINT ["dotnet", "/app/Serving.Gateway.dll"]
