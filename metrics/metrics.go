// Package metrics exposes the Temporal SDK's metrics (workflow and activity
// latencies, task-queue polls, failures) in Prometheus format.
package metrics

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// New returns a metrics handler for the Temporal client and the /metrics
// HTTP handler that serves what it records, with the Go runtime's metrics.
func New(logger *slog.Logger) (client.MetricsHandler, http.Handler, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, nil, fmt.Errorf("prometheus exporter: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	handler := temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                provider.Meter("creditflow"),
		UseMonotonicCounters: true,
		// The handler panics on a meter error by default: a metric must
		// never take a worker down.
		OnError: func(err error) { logger.Warn("metrics", "error", err) },
	})
	return handler, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), nil
}
