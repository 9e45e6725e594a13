// Package metrics exposes the Temporal SDK's metrics (workflow and activity
// latencies, task-queue polls, failures) and Creditflow's own in
// Prometheus format.
package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Metrics is one process's registry: what the Temporal client records,
// Creditflow's own counters, and the /metrics handler that serves them.
type Metrics struct {
	// Temporal is the Temporal client's metrics handler.
	Temporal client.MetricsHandler
	// HTTP serves /metrics with the Go runtime's metrics.
	HTTP http.Handler

	// SendGridAuthFailures counts SendGrid refusing our API key (401,
	// 403): alert on its rate. SendGridKeyRejected is 1 while this
	// process's last answer from SendGrid was such a refusal.
	SendGridAuthFailures prometheus.Counter
	SendGridKeyRejected  prometheus.Gauge
	// SendGridRefused counts refusals of ours (a 400 naming no recipient,
	// 413) by status: a bug to fix, retried meanwhile.
	SendGridRefused *prometheus.CounterVec
}

// New builds the registry.
func New(logger *slog.Logger) (*Metrics, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("prometheus exporter: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	m := &Metrics{
		Temporal: temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter:                provider.Meter("creditflow"),
			UseMonotonicCounters: true,
			// The handler panics on a meter error by default: a metric must
			// never take a worker down.
			OnError: func(err error) { logger.Warn("metrics", "error", err) },
		}),
		HTTP: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		SendGridAuthFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "creditflow_sendgrid_auth_failures_total",
			Help: "SendGrid refused our API key (401 or 403); the emails are retried until the key is fixed.",
		}),
		SendGridKeyRejected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "creditflow_sendgrid_key_rejected",
			Help: "1 while SendGrid rejects this process's API key (from its first 401/403 to the next accepted email).",
		}),
		SendGridRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditflow_sendgrid_refused_total",
			Help: "SendGrid refused a request of ours (413, a 400 naming no recipient): a bug of ours, retried.",
		}, []string{"status"}),
	}
	reg.MustRegister(m.SendGridAuthFailures, m.SendGridKeyRejected, m.SendGridRefused)
	return m, nil
}

// SendGridRefusal counts one refusal of ours with its HTTP status.
func (m *Metrics) SendGridRefusal(status int) {
	m.SendGridRefused.WithLabelValues(strconv.Itoa(status)).Inc()
}
