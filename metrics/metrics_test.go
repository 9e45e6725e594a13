package metrics

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTemporalMetricsAreServedInPrometheusFormat(t *testing.T) {
	handler, serve, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	handler.WithTags(map[string]string{"task_queue": "creditflow"}).Counter("temporal_workflow_completed").Inc(2)

	rec := httptest.NewRecorder()
	serve.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	require.Contains(t, rec.Body.String(), `temporal_workflow_completed_total{otel_scope_name="creditflow"`)
	require.Contains(t, rec.Body.String(), `task_queue="creditflow"`)
	require.Contains(t, rec.Body.String(), "go_goroutines")
}
