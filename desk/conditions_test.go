package desk_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// TestAnalystMarksADepositReceivedOnTheRequestPage: approved with a
// deposit, the request's page lists it pending; the analyst marks it met
// with a note (none: the API's word shows), and the account's orders may
// ship.
func TestAnalystMarksADepositReceivedOnTheRequestPage(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"conditions": []any{map[string]any{"type": "deposit", "amount": map[string]any{"amount": "5000.00", "currency": "EUR"}}},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/requests/" + r.ID)
	b.seePage("Credit request: " + r.Company)
	b.see("the deposit of EUR 5,000.00: pending")
	b.screenshot("conditions")
	b.press("Mark met")
	b.see("note: is required")
	b.typeInto("How it was met (or why waived)", "received on our account, bank ref 4471")
	b.press("Mark met")
	b.see("The condition is settled.")
	b.see("the deposit of EUR 5,000.00: met")
	b.see("received on our account, bank ref 4471")

	check := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+r.AccountID+"/credit-checks", testenv.Rep,
		map[string]any{"amount": map[string]any{"amount": "100.00", "currency": "EUR"}})
	require.Equal(t, http.StatusOK, check.Status, string(check.Body))
	var c credit.CreditCheck
	check.JSON(t, &c)
	require.True(t, c.Approved, c.Reason)
}

// TestAnalystApprovesWithConditionsAndWhatEachNeeds: on the decision
// form each condition ticked takes what it needs (the deposit's amount,
// the letter of credit's amount and last day, the guarantor, the shorter
// terms); what the API refuses shows by the field of that condition, the
// form keeping what was ticked and typed, and the approval holds each
// condition as it was given.
func TestAnalystApprovesWithConditionsAndWhatEachNeeds(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")
	today := time.Now().UTC().Format(time.DateOnly)
	later := time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/requests/" + r.ID)
	b.seePage("Credit request: " + r.Company)
	b.choose("approve with conditions")
	b.replace("Approved limit (EUR)", "40000.00")
	for _, condition := range []string{"deposit", "letter of credit", "personal guarantee", "shorter terms"} {
		b.choose(condition)
	}
	b.typeInto("Letter of credit amount (EUR)", "10000.00")
	b.run("pick the letter's last day", chromedp.SetValue(fieldLabelled("Letter of credit valid until"), today))
	b.typeInto("Guarantor's name", "Dana Whitfield")
	b.typeInto("Shorter payment terms (days)", "45")
	b.press("Record the decision")

	// Each condition's problem by its own field.
	b.see("Please correct what is marked below.")
	b.see("deposit amount: is required for a deposit") // the summary, in the form's words
	for field, says := range map[string]string{
		"deposit_amount":              "is required for a deposit",
		"letter_of_credit_expires_on": "a letter of credit must be valid after today",
		"shorter_terms_terms_days":    "shorter terms are 1 to 29 days",
	} {
		b.run(field+" says what is wrong", chromedp.WaitVisible(
			`//input[@id="f-`+field+`" and @aria-invalid="true" and @aria-describedby="f-`+field+`-hint f-`+field+`-error"]`),
			chromedp.WaitVisible(`//p[@id="f-`+field+`-error" and contains(., `+lit(says)+`)]`))
	}
	b.run("what was typed and ticked is kept", chromedp.WaitVisible(`//input[@id="f-personal_guarantee_guarantor" and @value="Dana Whitfield"]`),
		chromedp.WaitVisible(`//input[@value="shorter_terms" and @checked]`))
	b.screenshot("decision-conditions")

	b.typeInto("Deposit amount (EUR)", "5000.00")
	b.run("pick a later day", chromedp.SetValue(fieldLabelled("Letter of credit valid until"), later))
	b.replace("Shorter payment terms (days)", "15")
	b.press("Record the decision")
	b.see("Your decision is recorded.")
	b.see("the deposit of EUR 5,000.00: pending")
	b.see("the letter of credit for EUR 10,000.00 valid until " + later + ": pending")
	b.see("the personal guarantee of Dana Whitfield: pending")
	b.see("payment terms of 15 days: met") // at once: the approval sets the account's terms

	decided := readRequest(t, svc, r.ID)
	require.Equal(t, credit.StatusApprovedWithConditions, decided.Status)
	require.NotNil(t, decided.Decision)
	require.Len(t, decided.Decision.Conditions, 4)
	var terms, guarantor string
	for _, c := range decided.Decision.Conditions {
		switch c.Type {
		case credit.ConditionShorterTerms:
			terms = c.What()
		case credit.ConditionPersonalGuarantee:
			guarantor = c.Guarantor
		}
	}
	require.Equal(t, "payment terms of 15 days", terms)
	require.Equal(t, "Dana Whitfield", guarantor)

	// The account's page lists what it still waits for.
	b.visit("/desk/accounts/" + decided.AccountID)
	b.seePage("Account: " + r.Company)
	b.see("Pending conditions")
	b.see("the personal guarantee of Dana Whitfield")
	b.see("15 days") // the payment terms the approval set

	a, err := svc.Store.Account(context.Background(), decided.AccountID)
	require.NoError(t, err)
	require.NotNil(t, a.PaymentTermsDays)
	require.Equal(t, 15, *a.PaymentTermsDays)
}

// TestAnalystRecordsALetterOfCreditAndItsRenewal: a letter of credit is
// marked met with the day it is valid until; once met, the request's
// page takes its renewal, which must hold longer than the letter it
// renews (the API's word shows), and the condition then shows the
// renewal's expiry.
func TestAnalystRecordsALetterOfCreditAndItsRenewal(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")
	until, earlier, renewal := time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly),
		time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly), time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"conditions": []any{map[string]any{"type": "letter_of_credit", "amount": map[string]any{"amount": "20000.00", "currency": "EUR"}, "expires_on": until}},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/requests/" + r.ID)
	b.seePage("Credit request: " + r.Company)
	b.see("the letter of credit for EUR 20,000.00 valid until " + until + ": pending")
	b.typeInto("How it was met (or why waived)", "letter from Bank Foo received")
	b.run("pick the letter's last day", chromedp.SetValue(fieldLabelled("The letter is valid until"), until))
	b.press("Mark met")
	b.see("The condition is settled.")
	b.see("the letter of credit for EUR 20,000.00 valid until " + until + ": met")

	b.typeInto("The renewal received", "renewal from Bank Foo")
	b.run("pick an earlier day", chromedp.SetValue(fieldLabelled("The renewed letter is valid until"), earlier))
	b.press("Record the renewal")
	b.see("the renewed letter of credit must be valid after " + until)
	b.typeInto("The renewal received", "renewal from Bank Foo")
	b.run("pick a later day", chromedp.SetValue(fieldLabelled("The renewed letter is valid until"), renewal))
	b.press("Record the renewal")
	b.see("The condition is settled.")
	b.see("the letter of credit for EUR 20,000.00 valid until " + renewal + ": met")
	require.Equal(t, renewal, readRequest(t, svc, r.ID).Decision.Conditions[0].ExpiresOn)
}
