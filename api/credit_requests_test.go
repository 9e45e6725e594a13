package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// companies numbers the prospects of preApproval: a company has one open
// account, so each pre-approval is for another company.
var companies atomic.Int64

func preApproval(requested string) map[string]any {
	return map[string]any{
		"kind":            "pre_approval",
		"requested_limit": map[string]any{"amount": requested, "currency": "EUR"},
		"reason":          "first order expected next month",
		"prospect": map[string]any{
			"name": "Acme Tools GmbH", "registration_number": fmt.Sprintf("HRB %d", 12345+companies.Add(1)), "country": "DE",
			"billing_email": "billing@acme.example", "years_in_business": 7, "trade_references": 2,
			"annual_revenue": map[string]any{"amount": "2500000.00", "currency": "EUR"},
		},
	}
}

// askForPreApproval posts a pre-approval as the rep and waits until the
// workflow has scored it.
func askForPreApproval(t *testing.T, svc *testenv.Service, requested string) credit.CreditRequest {
	t.Helper()
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, preApproval(requested))
	require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))
	var r credit.CreditRequest
	resp.JSON(t, &r)
	require.NotEmpty(t, r.ID)
	require.NotEmpty(t, r.AccountID, "a pre-approval names its prospect account from the first answer")
	require.Equal(t, credit.StatusScoring, r.Status)
	testenv.Eventually(t, 10*time.Second, "scoring", func() bool {
		svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &r)
		return r.Status != credit.StatusScoring
	})
	return r
}

func TestPreApprovalFromRequestToDecisionEmail(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	require.Equal(t, credit.StatusPendingReview, r.Status, "band A above the 25,000 automatic cap waits for a human")
	require.Equal(t, "A", r.Band)
	require.Equal(t, 85, *r.Score)
	require.Len(t, r.Reasons, 5, "four inputs, and why it waits")
	require.Equal(t, "above the EUR 25,000.00 ceiling for automatic approval: a person decides", r.Reasons[4])

	var inbox struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests?status=pending_review", testenv.Analyst, nil).JSON(t, &inbox)
	require.Len(t, inbox.Items, 1)
	require.Equal(t, r.ID, inbox.Items[0].ID)

	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome":        "approve_with_conditions",
		"approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"conditions":     []string{"personal_guarantee"},
		"reason":         "young company, strong references",
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var decided credit.CreditRequest
	resp.JSON(t, &decided)
	require.Equal(t, credit.StatusApprovedWithConditions, decided.Status)
	require.Equal(t, "40000.00", decided.Decision.ApprovedLimit.String())
	require.Equal(t, testenv.Analyst, decided.Decision.DecidedBy)

	var account credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+r.AccountID, testenv.Rep, nil).JSON(t, &account)
	require.Equal(t, credit.AccountActive, account.Status, "an approved pre-approval turns the prospect into a customer")
	require.Equal(t, "40000.00", account.CreditLimit.String())
	require.Equal(t, testenv.Rep, account.SalesRep)

	testenv.Eventually(t, 10*time.Second, "the decision email", func() bool {
		return len(svc.SendGrid.OfKind("request_decided")) == 1
	})
	received := svc.SendGrid.OfKind("request_received")
	require.Len(t, received, 1)
	require.Equal(t, []string{testenv.Analyst, testenv.LimitedAnalyst}, received[0].To(), "no shared mailbox: every credit analyst")

	mail := svc.SendGrid.OfKind("request_decided")[0]
	require.Equal(t, []string{testenv.Rep}, mail.To())
	require.Equal(t, []string{"creditflow", "request_decided"}, mail.Categories)
	require.Equal(t, map[string]string{
		"kind":       "request_decided",
		"email_key":  "credit-request/" + r.ID + "/decided",
		"request_id": r.ID,
		"account_id": r.AccountID,
	}, mail.CustomArgs)
	require.Equal(t, "Bearer SG.test-key", mail.Authorization)
	require.Contains(t, mail.Text(), "  - the personal guarantee")
	require.Contains(t, mail.Text(), "EUR 40,000.00")
	require.Contains(t, mail.Subject, "Approved with conditions")

	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+r.AccountID+"/timeline", testenv.Rep, nil).JSON(t, &timeline)
	var kinds []string
	for _, e := range timeline.Items {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []string{"credit_request_created", "credit_request_scored", "credit_request_decided"}, kinds)
}

func TestClearCasesAreDecidedAtOnce(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "20000.00")
	testenv.Eventually(t, 10*time.Second, "automatic approval", func() bool {
		svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &r)
		return r.Status == credit.StatusApproved
	})
	require.True(t, r.Decision.Automatic)
	require.Equal(t, "creditflow", r.Decision.DecidedBy)
	require.Empty(t, svc.SendGrid.OfKind("request_received"), "nobody is asked to review a clear case")
}

func TestSecondDecisionIsRefusedEvenWhenBothArriveTogether(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, who := range []string{testenv.Analyst, testenv.CreditManager} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", who, map[string]any{
				"outcome": "decline", "reason": "too risky",
			}).Status
		}()
	}
	wg.Wait()
	require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, statuses)

	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve", "approved_limit": map[string]any{"amount": "10000.00", "currency": "EUR"},
	})
	require.Equal(t, http.StatusConflict, resp.Status)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
}

func TestDecisionsAboveTheApprovalLimitOrOnOnesOwnRequestAreForbidden(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "90000.00")

	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.LimitedAnalyst, map[string]any{
		"outcome": "approve", "approved_limit": map[string]any{"amount": "60000.00", "currency": "EUR"},
	})
	require.Equal(t, http.StatusForbidden, resp.Status, string(resp.Body))
	require.Contains(t, string(resp.Body), "approval limit")

	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Rep, map[string]any{
		"outcome": "decline", "reason": "x",
	})
	require.Equal(t, http.StatusForbidden, resp.Status, "a sales rep has no decision role")

	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.LimitedAnalyst, map[string]any{
		"outcome": "approve", "approved_limit": map[string]any{"amount": "50000.00", "currency": "EUR"},
	})
	require.Equal(t, http.StatusOK, resp.Status, "within the limit: %s", resp.Body)
}

func TestTheRepWhoAskedMayWithdraw(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")

	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/withdraw", testenv.OtherRep, map[string]any{"reason": "x"})
	require.Equal(t, http.StatusForbidden, resp.Status)

	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/withdraw", testenv.Rep, map[string]any{"reason": "deal lost"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &r)
	require.Equal(t, credit.StatusWithdrawn, r.Status)

	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{"outcome": "decline", "reason": "x"})
	require.Equal(t, http.StatusConflict, resp.Status)
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	body := preApproval("50000.00")
	first := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body, "Idempotency-Key", "deal-42")
	second := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body, "Idempotency-Key", "deal-42")
	require.Equal(t, http.StatusAccepted, first.Status)
	require.Equal(t, first.Status, second.Status)
	require.JSONEq(t, string(first.Body), string(second.Body))
	require.Equal(t, "true", second.Header.Get("Idempotent-Replayed"))

	var list struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Rep, nil).JSON(t, &list)
	require.Len(t, list.Items, 1, "the replay created nothing")

	other := preApproval("60000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, other, "Idempotency-Key", "deal-42")
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
	require.Contains(t, string(resp.Body), "Idempotency-Key")
}

func TestWorkerRestartLosesNothingAndSendsNothingTwice(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	svc.StopWorker()

	// The decision waits for a worker to take it; the analyst's call
	// answers once one is back.
	answered := make(chan testenv.Response, 1)
	go func() {
		answered <- svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
			"outcome": "decline", "reason": "no trade references we could check",
		})
	}()
	time.Sleep(time.Second)
	svc.StartWorker(t)

	select {
	case resp := <-answered:
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	case <-time.After(30 * time.Second):
		t.Fatal("the decision was not answered after the worker came back")
	}
	// The credit team's email goes beside the decision: if the stopped
	// worker had taken its task, it comes once that task times out (30s).
	testenv.Eventually(t, 45*time.Second, "the decision and the credit team's emails", func() bool {
		return len(svc.SendGrid.OfKind("request_decided")) == 1 && len(svc.SendGrid.OfKind("request_received")) == 1
	})
	time.Sleep(500 * time.Millisecond)
	require.Len(t, svc.SendGrid.OfKind("request_received"), 1)
	require.Len(t, svc.SendGrid.OfKind("request_decided"), 1)
}

// A company has one open account: asking again for a pre-approval of the
// same company (country and registration number, however spelled) is a
// conflict that names the account, never a second automatic approval.
func TestASecondPreApprovalOfTheSameCompanyIsAConflict(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	body := preApproval("20000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body)
	require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))
	var first credit.CreditRequest
	resp.JSON(t, &first)

	prospect := body["prospect"].(map[string]any)
	for _, c := range []struct {
		who    string
		number string
	}{
		{testenv.Rep, prospect["registration_number"].(string)},
		{testenv.OtherRep, strings.ToLower(strings.ReplaceAll(prospect["registration_number"].(string), " ", ""))},
	} {
		again := preApproval("20000.00")
		again["prospect"].(map[string]any)["registration_number"] = c.number
		p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", c.who, again), http.StatusConflict, c.who)
		require.Contains(t, p.Detail, first.AccountID, "the conflict names the account")
	}
	var list struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Admin, nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
}
