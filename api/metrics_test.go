package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
)

// /metrics tells anyone who reads it how the business goes: the API's
// address serves it only to holders of CREDITFLOW_METRICS_TOKEN
// (otherwise it is on CREDITFLOW_METRICS_ADDR, an address of its own).
func TestMetricsOnTheAPIAddressNeedTheMetricsToken(t *testing.T) {
	prometheus := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("go_goroutines 7\n")) })
	get := func(srv *api.Server, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	withToken := &api.Server{Logger: slog.New(slog.DiscardHandler), Metrics: prometheus, MetricsToken: "s3cret-scrape"}
	require.Equal(t, http.StatusOK, get(withToken, "Bearer s3cret-scrape").Code)
	require.Contains(t, get(withToken, "bearer s3cret-scrape").Body.String(), "go_goroutines")
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret-scrap", "Basic s3cret-scrape"} {
		require.Equal(t, http.StatusUnauthorized, get(withToken, auth).Code, auth)
	}
	without := &api.Server{Logger: slog.New(slog.DiscardHandler), Metrics: prometheus}
	rec := get(without, "")
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.NotContains(t, rec.Body.String(), "go_goroutines")
}
