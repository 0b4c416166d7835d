# syntax=docker/dockerfile:1
# DTF's images, both from this file (docs/deploy.md):
#   docker build --target dtf -t dtf .                    coordinator and Node worker
#   docker build --target dtf-browsers -t dtf-browsers .  the headless browser pool

# Builds the package as npm would publish it (`npm pack`), so the images hold what users install.
FROM node:22-bookworm-slim AS build
# better-sqlite3 and bufferutil compile where no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build && npm pack --pack-destination /pkg

FROM node:22-bookworm-slim AS dtf
# onnxruntime-node ships its CPU binaries; its install script would fetch CUDA extras.
ENV npm_config_onnxruntime_node_install=skip \
    npm_config_fund=false \
    npm_config_audit=false \
    NODE_ENV=production
COPY --from=build /pkg/ /tmp/pkg/
# The compilers are there only while the native modules install, in the same layer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm install --global --omit=dev /tmp/pkg/dtf-*.tgz \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* /tmp/pkg /root/.npm /root/.cache \
 && mkdir /data && chown node:node /data
USER node
WORKDIR /home/node
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["dtf"]
CMD ["coordinator", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/data"]

FROM dtf AS dtf-browsers
USER root
# Debian's own builds, as `npm start` installs them on a Debian machine.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium firefox-esr fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
USER node
CMD ["pool", "--browser", "chromium=1"]
