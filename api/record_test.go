package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestRecordCreditRequestHistories re-records the histories that
// workflows/replay_test.go replays. Run it deliberately, and only from
// code that running workflows were started by:
//
//	CREDITFLOW_RECORD_HISTORIES=1 go test ./api -run TestRecordCreditRequestHistories
func TestRecordCreditRequestHistories(t *testing.T) {
	if !testenv.RecordHistories {
		t.Skip("set CREDITFLOW_RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	// A 200ms day: the reminder, the escalation and the expiry within seconds.
	svc := testenv.StartService(t, testenv.Options{Day: 200 * time.Millisecond})
	done := func(r credit.CreditRequest) bool {
		svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &r)
		return r.Status != credit.StatusScoring && r.Status != credit.StatusPendingReview
	}
	wait := func(r credit.CreditRequest) {
		testenv.Eventually(t, 30*time.Second, "the request to end", func() bool { return done(r) })
		time.Sleep(500 * time.Millisecond) // the last email after the outcome
	}

	auto := askForPreApproval(t, svc, "20000.00")
	wait(auto)
	testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(auto.ID), "credit_request_automatic_approval")

	reviewed := askForPreApproval(t, svc, "50000.00")
	time.Sleep(1100 * time.Millisecond) // past the reminder (day 2) and the escalation (day 4)
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+reviewed.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"conditions": []string{"deposit"}, "reason": "young company",
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	wait(reviewed)
	testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(reviewed.ID), "credit_request_reviewed_with_reminders")

	withdrawn := askForPreApproval(t, svc, "50000.00")
	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+withdrawn.ID+"/withdraw", testenv.Rep, map[string]any{"reason": "deal lost"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	wait(withdrawn)
	testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(withdrawn.ID), "credit_request_withdrawn")

	expired := askForPreApproval(t, svc, "50000.00")
	wait(expired)
	testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(expired.ID), "credit_request_expired")
}
