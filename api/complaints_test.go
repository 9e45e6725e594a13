package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

func complain(t *testing.T, svc *testenv.Service, accountID, who string, body map[string]any, headers ...string) testenv.Response {
	t.Helper()
	return svc.Call(t, http.MethodPost, "/api/v1/accounts/"+accountID+"/complaints", who, body, headers...)
}

func timelineOf(t *testing.T, svc *testenv.Service, accountID string) string {
	t.Helper()
	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+accountID+"/timeline", testenv.Analyst, nil).JSON(t, &timeline)
	var said []string
	for _, e := range timeline.Items {
		said = append(said, e.Kind+" "+e.Actor+": "+e.Summary)
	}
	return strings.Join(said, "\n")
}

func accountOf(t *testing.T, svc *testenv.Service, id string) credit.Account {
	t.Helper()
	var a credit.Account
	resp := svc.Call(t, http.MethodGet, "/api/v1/accounts/"+id, testenv.Analyst, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &a)
	return a
}

// TestAComplaintWithoutAnInvoiceTellsItsOwnerOnce: the rep logs a
// complaint for logistics with an analyst as its owner; the owner is told
// once (also when the rep sends it twice), it shows on the account and
// its timeline until the owner resolves it; only the owner or credit may.
func TestAComplaintWithoutAnInvoiceTellsItsOwnerOnce(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	body := map[string]any{"subject": "the pallets arrived wet", "department": "logistics", "owner_email": strings.ToUpper(testenv.Analyst)}

	resp := complain(t, svc, account, testenv.Rep, body, "Idempotency-Key", "wet-pallets")
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var c credit.Complaint
	resp.JSON(t, &c)
	require.Equal(t, credit.ComplaintOpen, c.Status)
	require.Equal(t, testenv.Analyst, c.OwnerEmail)
	require.Equal(t, testenv.Rep, c.OpenedBy)
	require.Empty(t, c.DisputeID)
	again := complain(t, svc, account, testenv.Rep, body, "Idempotency-Key", "wet-pallets")
	require.Equal(t, http.StatusCreated, again.Status, string(again.Body))

	a := accountOf(t, svc, account)
	require.Len(t, a.Complaints, 1)
	require.Equal(t, c.ID, a.Complaints[0].ID)

	testenv.Eventually(t, 20*time.Second, "the owner to hear of the complaint", func() bool {
		return len(svc.SendGrid.OfKind(email.KindComplaintOpened)) > 0
	})
	told := svc.SendGrid.OfKind(email.KindComplaintOpened)[0]
	require.Equal(t, []string{testenv.Analyst}, told.To())
	require.Contains(t, told.Text(), "the pallets arrived wet")
	require.Contains(t, told.Text(), testenv.Rep)
	require.Equal(t, c.ID, told.CustomArgs["complaint_id"])
	require.Equal(t, account, told.CustomArgs["account_id"])
	require.Contains(t, told.Text(), "/desk/accounts/"+account, "the owner gets a link to the account")

	path := "/api/v1/complaints/" + c.ID + "/resolve"
	resolution := map[string]any{"resolution": "replacement shipped"}
	for _, who := range []string{testenv.Rep, testenv.OtherRep, testenv.Admin} {
		requireProblemStatus(t, svc.Call(t, http.MethodPost, path, who, resolution), http.StatusForbidden, "%s is neither its owner nor credit", who)
	}
	resp = svc.Call(t, http.MethodPost, path, testenv.Analyst, resolution)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	c = credit.Complaint{}
	resp.JSON(t, &c)
	require.Equal(t, credit.ComplaintResolved, c.Status)
	require.Equal(t, testenv.Analyst, c.ResolvedBy)
	require.Equal(t, "replacement shipped", c.Resolution)
	requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.CreditManager, resolution), http.StatusConflict, "resolved already")
	require.Empty(t, accountOf(t, svc, account).Complaints, "a resolved complaint leaves the account")

	said := timelineOf(t, svc, account)
	require.Contains(t, said, "complaint_opened "+testenv.Rep+": Complaint opened by "+testenv.Rep+" (logistics, owner "+testenv.Analyst+"): the pallets arrived wet")
	require.Contains(t, said, "complaint_resolved "+testenv.Analyst+": Complaint resolved by "+testenv.Analyst+" (the pallets arrived wet): replacement shipped")

	time.Sleep(time.Second) // a second email would have arrived by now
	require.Len(t, svc.SendGrid.OfKind(email.KindComplaintOpened), 1, "the owner is told once")
	record(t, svc, workflows.ComplaintWorkflowID(c.ID), "complaint_opened_emailed")
}

// TestAComplaintAboutAnInvoiceIsItsDispute: with invoice_id the complaint
// opens the invoice's dispute (reminders pause, the owner gets
// dispute_opened and nothing else); credit resolving the complaint
// resolves the dispute and the follow-up resumes.
func TestAComplaintAboutAnInvoiceIsItsDispute(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100_000, 0)
	inv := issueInvoice(t, svc, account, "2025-C-1", "1000.00", 10)

	resp := complain(t, svc, account, testenv.Rep, map[string]any{
		"subject": "billed twice for one delivery", "department": "billing", "owner_email": testenv.CreditManager, "invoice_id": inv.ID,
	}, "Idempotency-Key", "billed-twice")
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var c credit.Complaint
	resp.JSON(t, &c)
	require.Equal(t, inv.ID, c.InvoiceID)
	require.NotEmpty(t, c.DisputeID)

	disputed := readInvoice(t, svc, inv.ID)
	require.Equal(t, credit.InvoiceDisputed, disputed.Status, "the invoice's reminders pause")
	require.Len(t, disputed.Disputes, 1)
	require.Equal(t, c.DisputeID, disputed.Disputes[0].ID)
	require.Equal(t, "billed twice for one delivery", disputed.Disputes[0].Reason)
	require.Equal(t, testenv.CreditManager, disputed.Disputes[0].OwnerEmail)
	testenv.Eventually(t, 20*time.Second, "the owner to hear of the dispute", func() bool {
		return len(svc.SendGrid.OfKind(email.KindDisputeOpened)) > 0
	})
	require.Equal(t, []string{testenv.CreditManager}, svc.SendGrid.OfKind(email.KindDisputeOpened)[0].To())
	require.Len(t, accountOf(t, svc, account).Complaints, 1)

	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/resolve", testenv.Rep,
		map[string]any{"resolution": "x"}), http.StatusForbidden, "the rep is not its owner")
	resp = svc.Call(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/resolve", testenv.Analyst, map[string]any{"resolution": "second bill cancelled"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	c = credit.Complaint{}
	resp.JSON(t, &c)
	require.Equal(t, credit.ComplaintResolved, c.Status)
	resumed := readInvoice(t, svc, inv.ID)
	require.Equal(t, credit.InvoiceOpen, resumed.Status, "the follow-up resumes")
	require.Equal(t, credit.DisputeResolved, resumed.Disputes[0].Status)
	require.Equal(t, "second bill cancelled", resumed.Disputes[0].Resolution)
	require.Empty(t, accountOf(t, svc, account).Complaints)
	said := timelineOf(t, svc, account)
	require.Contains(t, said, "complaint_opened "+testenv.Rep)
	require.Contains(t, said, "dispute_resolved "+testenv.Analyst)
	require.Contains(t, said, "complaint_resolved "+testenv.Analyst)

	time.Sleep(time.Second)
	require.Len(t, svc.SendGrid.OfKind(email.KindDisputeOpened), 1, "the owner is told once")
	require.Empty(t, svc.SendGrid.OfKind(email.KindComplaintOpened), "the dispute's email says it")
	record(t, svc, workflows.ComplaintWorkflowID(c.ID), "complaint_opened_disputed")
}

// TestComplaintsRefuseStrangersAndBadInput: the owner must be an enabled
// user, the invoice one of the account's; a rep logs complaints on their
// own accounts only; every field is checked by name.
func TestComplaintsRefuseStrangersAndBadInput(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	other := newAccount(t, svc, 10_000, 0)
	foreign := issueInvoice(t, svc, other, "2025-F-1", "10.00", 0)
	base := map[string]any{"subject": "rude driver", "department": "logistics", "owner_email": testenv.Analyst}

	p := requireProblemStatus(t, complain(t, svc, account, testenv.Rep, with(t, base, "owner_email", "boss@customer.example")),
		http.StatusUnprocessableEntity, "an owner who is not a user")
	require.Equal(t, "owner_email", p.Errors[0].Field)
	_, err := svc.Store.Pool.Exec(t.Context(), `UPDATE users SET disabled_at = now() WHERE email = $1`, testenv.SalesManager)
	require.NoError(t, err)
	p = requireProblemStatus(t, complain(t, svc, account, testenv.Rep, with(t, base, "owner_email", testenv.SalesManager)),
		http.StatusUnprocessableEntity, "a disabled owner")
	require.Equal(t, "owner_email", p.Errors[0].Field)

	requireProblemStatus(t, complain(t, svc, account, testenv.OtherRep, base), http.StatusForbidden, "another rep's account")
	requireProblemStatus(t, complain(t, svc, "acc_nobody", testenv.Analyst, base), http.StatusNotFound, "no such account")
	for _, invoiceID := range []string{foreign.ID, "inv_nobody"} {
		p = requireProblemStatus(t, complain(t, svc, account, testenv.Rep, with(t, base, "invoice_id", invoiceID)),
			http.StatusUnprocessableEntity, "an invoice not of this account")
		require.Equal(t, "invoice_id", p.Errors[0].Field)
	}

	for _, c := range []badInput{
		{name: "no subject", body: with(t, base, "subject", deleteField), fields: []string{"subject"}},
		{name: "blank subject", body: with(t, base, "subject", "  "), fields: []string{"subject"}},
		{name: "two lines", body: with(t, base, "subject", "rude\ndriver"), fields: []string{"subject"}},
		{name: "unknown department", body: with(t, base, "department", "legal"), fields: []string{"department"}},
		{name: "owner not an address", body: with(t, base, "owner_email", "analyst"), fields: []string{"owner_email"}},
		{name: "no owner", body: with(t, base, "owner_email", deleteField), fields: []string{"owner_email"}},
		{name: "blank invoice", body: with(t, base, "invoice_id", " "), fields: []string{"invoice_id"}},
		{name: "unknown field", body: with(t, base, "priority", "high"), fields: []string{"priority"}},
	} {
		requireBadInput(t, complain(t, svc, account, testenv.Rep, c.body.(map[string]any)), c)
	}
	resp := complain(t, svc, account, testenv.Analyst, base)
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var c credit.Complaint
	resp.JSON(t, &c)
	for _, bad := range []badInput{
		{name: "no resolution", body: map[string]any{}, fields: []string{"resolution"}},
		{name: "blank resolution", body: map[string]any{"resolution": " "}, fields: []string{"resolution"}},
		{name: "a credit note", body: map[string]any{"resolution": "x", "credit_note": eurBody("1.00")}, fields: []string{"credit_note"}},
	} {
		requireBadInput(t, svc.Call(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/resolve", testenv.Analyst, bad.body), bad)
	}
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/complaints/cmp_nobody/resolve", testenv.Analyst,
		map[string]any{"resolution": "x"}), http.StatusNotFound, "no such complaint")
}
