package metrics

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTemporalMetricsAreServedInPrometheusFormat(t *testing.T) {
	m, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	handler, serve := m.Temporal, m.HTTP
	handler.WithTags(map[string]string{"task_queue": "creditflow"}).Counter("temporal_workflow_completed").Inc(2)

	rec := httptest.NewRecorder()
	serve.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `temporal_workflow_completed_total{otel_scope_name="creditflow"`)
	require.Contains(t, rec.Body.String(), `task_queue="creditflow"`)
	require.Contains(t, rec.Body.String(), "go_goroutines")
}

// TestSendGridOutagesAreServedBesideTemporals: the counters the sender
// feeds are in the registry /metrics serves.
func TestSendGridOutagesAreServedBesideTemporals(t *testing.T) {
	m, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	m.SendGridAuthFailures.Inc()
	m.SendGridKeyRejected.Set(1)
	m.SendGridRefusal(413)

	rec := httptest.NewRecorder()
	m.HTTP.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Contains(t, rec.Body.String(), "creditflow_sendgrid_auth_failures_total 1")
	require.Contains(t, rec.Body.String(), "creditflow_sendgrid_key_rejected 1")
	require.Contains(t, rec.Body.String(), `creditflow_sendgrid_refused_total{status="413"} 1`)
}
