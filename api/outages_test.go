package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// While a dependency is down the API answers 503 with Retry-After within
// its deadline: never a hang, never a 500.
func TestOutagesAnswer503WithRetryAfterInTime(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	require.Equal(t, credit.StatusPendingReview, r.Status)

	// Temporal answers, but no worker runs the workflow: the decision
	// waits for it until the request's deadline.
	srv := httptest.NewServer((&api.Server{Store: svc.Store, Temporal: svc.Temporal, TaskQueue: svc.TaskQueue,
		Logger: testenv.Logger(), RequestTimeout: 2 * time.Second}).Handler())
	t.Cleanup(srv.Close)
	impatient := *svc
	impatient.URL = srv.URL
	svc.StopWorker()
	start := time.Now()
	resp := impatient.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
	}, "Idempotency-Key", "decide-1")
	took := time.Since(start)
	requireProblemStatus(t, resp, http.StatusServiceUnavailable, "worker down")
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.Less(t, took, 5*time.Second, "within the deadline")

	// The worker is back: the decision that timed out is applied after
	// all, and the same key retried is the same update (its id comes from
	// the key), answered with that outcome; the 503 did not keep the key.
	svc.StartWorker(t)
	testenv.Eventually(t, 20*time.Second, "the decision to be answered", func() bool {
		resp = impatient.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
			"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		}, "Idempotency-Key", "decide-1")
		return resp.Status != http.StatusServiceUnavailable
	})
	require.Equal(t, http.StatusOK, resp.Status, "the retry is the same update, answered with its outcome: %s", resp.Body)
	testenv.Eventually(t, 10*time.Second, "the decision recorded", func() bool {
		got, err := svc.Store.CreditRequest(context.Background(), r.ID)
		require.NoError(t, err)
		return got.Status == credit.StatusApproved
	})

	// Postgres unreachable: the first query (the token's user) fails.
	down, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/creditflow?sslmode=disable&connect_timeout=1", 2)
	require.NoError(t, err)
	t.Cleanup(down.Close)
	pgDown := httptest.NewServer((&api.Server{Store: down, Temporal: svc.Temporal, TaskQueue: svc.TaskQueue,
		Logger: testenv.Logger(), RequestTimeout: 2 * time.Second}).Handler())
	t.Cleanup(pgDown.Close)
	noDB := *svc
	noDB.URL = pgDown.URL
	for _, path := range []string{"/api/v1/credit-requests", "/api/v1/accounts/" + r.AccountID} {
		resp := noDB.Call(t, http.MethodGet, path, testenv.Analyst, nil)
		requireProblemStatus(t, resp, http.StatusServiceUnavailable, "postgres down: "+path)
		require.Equal(t, "5", resp.Header.Get("Retry-After"))
	}
	require.Equal(t, http.StatusServiceUnavailable, noDB.Call(t, http.MethodGet, "/readyz", "", nil).Status)
}
