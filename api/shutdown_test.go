package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// A deploy stops `creditflow api` (SIGTERM) while a decision waits for its
// workflow: the API answers it before it closes its Temporal client and
// its database pool.
func TestAPIStopsOnlyOnceItsRequestsAreAnswered(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	require.Equal(t, credit.StatusPendingReview, r.Status)
	proc := svc.StartAPIProcess(t)

	// Without a worker the decision waits in Temporal, its request open.
	svc.StopWorker()
	answered := make(chan testenv.Response, 1)
	go func() {
		resp, err := proc.Try(http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
			"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		})
		if err != nil {
			resp = testenv.Response{Status: -1, Body: []byte(err.Error())}
		}
		answered <- resp
	}()
	// The request has to be in the API before the stop; nothing outside
	// the process shows when it is, so give it a moment.
	time.Sleep(500 * time.Millisecond)
	proc.Stop(t)
	time.Sleep(500 * time.Millisecond)
	svc.StartWorker(t)

	resp := <-answered
	require.Equal(t, http.StatusOK, resp.Status, "answered while stopping: %s", resp.Body)
	require.True(t, proc.Exited(t), "then it exits cleanly")
}
