package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

func creditCheck(t *testing.T, svc *testenv.Service, accountID, amount string) credit.CreditCheck {
	t.Helper()
	resp := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+accountID+"/credit-checks", testenv.Rep, map[string]any{"amount": eurBody(amount)})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var c credit.CreditCheck
	resp.JSON(t, &c)
	return c
}

// TestADepositConditionRefusesCreditChecksUntilItIsMet: approved with a
// deposit of EUR 5,000.00, the account is active but no order ships
// until credit marks the deposit received; shorter terms set the
// account's payment terms at once.
func TestADepositConditionRefusesCreditChecksUntilItIsMet(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": eurBody("40000.00"), "reason": "young company",
		"conditions": []any{
			map[string]any{"type": "deposit", "amount": eurBody("5000.00")},
			map[string]any{"type": "shorter_terms", "terms_days": 15},
		},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var decided credit.CreditRequest
	resp.JSON(t, &decided)
	require.Equal(t, credit.StatusApprovedWithConditions, decided.Status)
	require.Equal(t, []string{credit.ConditionPending, credit.ConditionMet},
		[]string{decided.Decision.Conditions[0].Status, decided.Decision.Conditions[1].Status})

	check := creditCheck(t, svc, r.AccountID, "100.00")
	require.False(t, check.Approved)
	require.Equal(t, "the credit approval is waiting for the deposit of EUR 5,000.00: no order ships until credit has it", check.Reason)
	t.Logf("credit check of EUR 100.00 before the deposit is met: approved=%v, %q", check.Approved, check.Reason)
	var a credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+r.AccountID, testenv.Rep, nil).JSON(t, &a)
	require.Equal(t, credit.AccountActive, a.Status)
	require.Len(t, a.PendingConditions, 1)
	require.NotNil(t, a.PaymentTermsDays)
	require.Equal(t, 15, *a.PaymentTermsDays)

	// An invoice given no terms is due after the account's.
	inv := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": r.AccountID, "number": "T-15", "amount": eurBody("100.00"), "issue_date": daysAgo(0)})
	require.Equal(t, http.StatusCreated, inv.Status, string(inv.Body))
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 15).Format(time.DateOnly), inv.Map(t)["due_date"])

	path := fmt.Sprintf("/api/v1/credit-requests/%s/conditions/0/", r.ID)
	requireProblemStatus(t, svc.Call(t, http.MethodPost, path+"waive", testenv.Analyst, map[string]any{"note": "x"}), http.StatusForbidden, "an analyst waives")
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, path+"met", testenv.Analyst, map[string]any{}), http.StatusUnprocessableEntity, "no note")
	require.Equal(t, "note", p.Errors[0].Field)
	requireProblemStatus(t, svc.Call(t, http.MethodPost, path+"met", testenv.Rep, map[string]any{"note": "x"}), http.StatusForbidden, "a rep")
	requireProblemStatus(t, svc.Call(t, http.MethodPost, fmt.Sprintf("/api/v1/credit-requests/%s/conditions/5/met", r.ID), testenv.Analyst,
		map[string]any{"note": "x"}), http.StatusNotFound, "no sixth condition")

	met := svc.Call(t, http.MethodPost, path+"met", testenv.Analyst, map[string]any{"note": "deposit received, bank ref 4471"})
	require.Equal(t, http.StatusOK, met.Status, string(met.Body))
	var settled credit.CreditRequest
	met.JSON(t, &settled)
	require.Equal(t, credit.ConditionMet, settled.Decision.Conditions[0].Status)
	require.Equal(t, testenv.Analyst, settled.Decision.Conditions[0].ResolvedBy)
	requireProblemStatus(t, svc.Call(t, http.MethodPost, path+"met", testenv.Analyst, map[string]any{"note": "again"}),
		http.StatusConflict, "met twice")

	check = creditCheck(t, svc, r.AccountID, "100.00")
	require.True(t, check.Approved, check.Reason)
	t.Logf("credit check of EUR 100.00 after the deposit is met: approved=%v", check.Approved)
	record(t, svc, workflows.CreditRequestWorkflowID(r.ID), "credit_request_conditions_met")
}

// TestConditionsNeedWhatTheirTypeNeeds: every condition object is checked
// for what its type needs, the field named; a bare type is still taken.
func TestConditionsNeedWhatTheirTypeNeeds(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	decide := func(conditions ...any) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
			"outcome": "approve_with_conditions", "approved_limit": eurBody("40000.00"), "conditions": conditions})
	}
	for _, c := range []struct {
		condition any
		field     string
	}{
		{map[string]any{"type": "deposit"}, "conditions[0].amount"},
		{map[string]any{"type": "deposit", "amount": map[string]any{"amount": "10.00", "currency": "USD"}}, "conditions[0].amount.currency"},
		{map[string]any{"type": "letter_of_credit", "amount": eurBody("1000.00"), "expires_on": daysAgo(1)}, "conditions[0].expires_on"},
		{map[string]any{"type": "personal_guarantee"}, "conditions[0].guarantor"},
		{map[string]any{"type": "shorter_terms", "terms_days": 45}, "conditions[0].terms_days"},
	} {
		p := requireProblemStatus(t, decide(c.condition), http.StatusUnprocessableEntity, "%v", c.condition)
		require.Equal(t, c.field, p.Errors[0].Field, "%v", c.condition)
	}
	requireProblemStatus(t, decide(map[string]any{"type": "bribe"}), http.StatusUnprocessableEntity, "an unknown type")
	requireProblemStatus(t, decide("bribe"), http.StatusUnprocessableEntity, "an unknown bare type")

	resp := decide("personal_guarantee")
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var decided credit.CreditRequest
	resp.JSON(t, &decided)
	require.Equal(t, []credit.Condition{{Type: "personal_guarantee", Status: credit.ConditionPending}},
		[]credit.Condition{{Type: decided.Decision.Conditions[0].Type, Status: decided.Decision.Conditions[0].Status}})
	require.False(t, creditCheck(t, svc, r.AccountID, "1.00").Approved)
}

// TestAnApprovalWhoseDepositNeverComesLapses: 60 policy days (here 100 ms
// each) after the approval, the deposit still missing, the approval lapses:
// the prospect's limit goes back to nothing, the rep was reminded on the
// way and hears of it with the analyst.
func TestAnApprovalWhoseDepositNeverComesLapses(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: 100 * time.Millisecond})
	r := askForPreApproval(t, svc, "50000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": eurBody("40000.00"),
		"conditions": []any{map[string]any{"type": "deposit", "amount": eurBody("5000.00")}},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	testenv.Eventually(t, 30*time.Second, "the approval to lapse", func() bool {
		var now credit.CreditRequest
		svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &now)
		return now.Status == credit.StatusLapsed
	})
	var a credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+r.AccountID, testenv.Rep, nil).JSON(t, &a)
	require.Equal(t, "0.00", a.CreditLimit.String(), "the limit the prospect had")
	require.Empty(t, a.PendingConditions)
	testenv.Eventually(t, 10*time.Second, "the rep and the analyst told", func() bool {
		return len(svc.SendGrid.OfKind("approval_lapsed")) == 1
	})
	require.ElementsMatch(t, []string{testenv.Rep, testenv.Analyst}, svc.SendGrid.OfKind("approval_lapsed")[0].To())
	require.Len(t, svc.SendGrid.OfKind("conditions_pending"), 8, "reminded every 7 policy days until day 56")
	record(t, svc, workflows.CreditRequestWorkflowID(r.ID), "credit_request_conditions_lapsed")
}

// TestALetterOfCreditThatExpiresStopsOrdersUntilANewOneIsMet: policy days
// of 2 s. A letter of credit valid until 5 days from today, met, is
// followed: credit and the rep are told of its expiry at once (within
// the 30 days' notice), and when it expires the condition is pending
// again, orders stop, and they are told; the new letter, met with its
// expiry, lets orders ship again; the account closed, the new letter's
// expiry ends the request's workflow.
func TestALetterOfCreditThatExpiresStopsOrdersUntilANewOneIsMet(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: 2 * time.Second})
	r := askForPreApproval(t, svc, "50000.00")
	inDays := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": eurBody("40000.00"),
		"conditions": []any{map[string]any{"type": "letter_of_credit", "amount": eurBody("20000.00"), "expires_on": inDays(5)}},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	path := fmt.Sprintf("/api/v1/credit-requests/%s/conditions/0/met", r.ID)
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"note": "letter received", "expires_on": "next spring"}, "expires_on"},
		{map[string]any{"note": "letter received", "expires_on": inDays(0)}, "expires_on"},
	} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.Analyst, bad.body), http.StatusUnprocessableEntity, "%v", bad.body)
		require.Equal(t, bad.field, p.Errors[0].Field)
	}
	met := svc.Call(t, http.MethodPost, path, testenv.Analyst, map[string]any{"note": "letter received from Bank Foo"})
	require.Equal(t, http.StatusOK, met.Status, string(met.Body))
	require.True(t, creditCheck(t, svc, r.AccountID, "100.00").Approved)

	testenv.Eventually(t, 60*time.Second, "the letter to expire", func() bool {
		return !creditCheck(t, svc, r.AccountID, "100.00").Approved
	})
	check := creditCheck(t, svc, r.AccountID, "100.00")
	require.Equal(t, "the credit approval is waiting for the letter of credit for EUR 20,000.00: no order ships until credit has it", check.Reason)
	testenv.Eventually(t, 10*time.Second, "credit and the rep told before and at the expiry", func() bool {
		return len(svc.SendGrid.OfKind("letter_of_credit_expiring")) == 2
	})
	expiring := svc.SendGrid.OfKind("letter_of_credit_expiring")
	require.Equal(t, "Letter of credit expires on "+inDays(5)+": "+r.Prospect.Name, expiring[0].Subject)
	require.Equal(t, "Letter of credit expired: "+r.Prospect.Name, expiring[1].Subject)
	require.Contains(t, expiring[0].To(), testenv.Rep)
	require.Contains(t, expiring[0].To(), testenv.Analyst, "the credit team")
	var now credit.CreditRequest
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &now)
	require.Equal(t, credit.ConditionPending, now.Decision.Conditions[0].Status)
	require.Equal(t, inDays(5), now.Decision.Conditions[0].ExpiredOn)

	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.Analyst, map[string]any{"note": "new letter"}),
		http.StatusUnprocessableEntity, "the new letter comes with its expiry")
	require.Equal(t, "expires_on", p.Errors[0].Field)
	renewed := svc.Call(t, http.MethodPost, path, testenv.Analyst, map[string]any{"note": "new letter from Bank Foo", "expires_on": inDays(12)})
	require.Equal(t, http.StatusOK, renewed.Status, string(renewed.Body))
	require.True(t, creditCheck(t, svc, r.AccountID, "100.00").Approved)

	closed := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+r.AccountID, testenv.Admin, map[string]any{"status": "closed"})
	require.Equal(t, http.StatusOK, closed.Status, string(closed.Body))
	testenv.Eventually(t, 60*time.Second, "the request's workflow to end at the new letter's expiry", func() bool {
		d, err := svc.Temporal.DescribeWorkflowExecution(context.Background(), workflows.CreditRequestWorkflowID(r.ID), "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &now)
	require.Equal(t, credit.ConditionMet, now.Decision.Conditions[0].Status, "a closed account's letter expires unremarked")
	require.Len(t, svc.SendGrid.OfKind("letter_of_credit_expiring"), 3, "the new letter's notice; nothing at its expiry")
	record(t, svc, workflows.CreditRequestWorkflowID(r.ID), "credit_request_letter_of_credit_renewed")
}
