# syntax=docker/dockerfile:1

# Creditflow's one binary in a small image. The subcommand is the container's
# command: `migrate`, `worker`, `api`, `user add …` (see docker-compose.yml).
#
#   docker build -t creditflow .
#   docker run --rm creditflow --help

# --- build -----------------------------------------------------------------
# go.mod says go 1.26.
FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath

# Dependencies first, so a code change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags="-s -w" -o /out/creditflow ./cmd/creditflow

# --- run -------------------------------------------------------------------
# Alpine rather than distroless: its busybox wget lets docker-compose.yml
# check the API's /readyz. CA certificates are in the base image (SendGrid is
# HTTPS); time zones are compiled into the binary (time/tzdata).
FROM alpine:3.22
RUN adduser -D -H -u 10001 creditflow
COPY --from=build /out/creditflow /creditflow
USER 10001:10001
# The API's default CREDITFLOW_HTTP_ADDR.
EXPOSE 8080
ENTRYPOINT ["/creditflow"]
CMD ["--help"]
