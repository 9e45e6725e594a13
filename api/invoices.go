package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's Invoice and DunningStep are the domain's.
type (
	Invoice     = credit.Invoice
	DunningStep = credit.DunningStep
)

// CreateInvoice issues one invoice and starts its follow-up.
func (h handlers) CreateInvoice(ctx context.Context, req CreateInvoiceRequestObject) (CreateInvoiceResponseObject, error) {
	var v checker
	inv := h.newInvoice(&v, *req.Body, currentUser(ctx).Email)
	if err := v.err(); err != nil {
		return nil, err
	}
	account, err := h.Store.Account(ctx, inv.AccountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	checkAccount(&v, &inv, account, err == nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := h.startInvoice(ctx, inv); err != nil {
		return nil, err
	}
	return CreateInvoice201JSONResponse(inv), nil
}

// defaultTermsDays: an invoice is due 30 days after its issue unless it
// or its account says otherwise.
const defaultTermsDays = 30

// newInvoice checks an invoice's own fields beyond the document (blank
// text, amounts, calendar dates, due_date or terms_days); its account is
// checked by checkAccount.
func (s *Server) newInvoice(v *checker, body NewInvoice, by string) credit.Invoice {
	inv := credit.Invoice{
		AccountID: v.text("account_id", body.AccountId, true),
		Number:    v.line("number", body.Number, true),
		Amount:    v.positiveMoney("amount", body.Amount),
		Status:    credit.InvoiceOpen,
		CreatedBy: by,
		// As Postgres keeps it, so that the 201 and a later GET agree.
		CreatedAt: s.Now().UTC().Truncate(time.Microsecond),
	}
	inv.ID = workflows.InvoiceID(inv.AccountID, inv.Number)
	inv.Balance, inv.UpdatedAt = inv.Amount, inv.CreatedAt
	issued, ok := v.date("issue_date", body.IssueDate)
	var due time.Time
	hasDue := false
	if body.DueDate != nil {
		due, hasDue = v.date("due_date", *body.DueDate)
	}
	terms := 0
	switch {
	case body.DueDate != nil && body.TermsDays != nil:
		v.fail("terms_days", "give due_date or terms_days, not both")
	case body.TermsDays != nil:
		terms = *body.TermsDays
	}
	if !ok {
		return inv
	}
	inv.IssueDate = issued.Format(time.DateOnly)
	// An invoice is issued today or before; a day's grace for the time
	// zones ahead of UTC.
	if tomorrow := s.Now().UTC().AddDate(0, 0, 1); issued.Year() < 1900 || issued.After(tomorrow) {
		v.fail("issue_date", "must be a date from 1900 until today")
		return inv
	}
	if !hasDue && body.TermsDays == nil {
		return inv // due after the account's payment terms (checkAccount)
	}
	if !hasDue {
		due = issued.AddDate(0, 0, terms)
	}
	if due.Before(issued) {
		v.fail("due_date", "must not be before issue_date")
	}
	if due.Sub(issued) > 3650*24*time.Hour {
		v.fail("due_date", "must be within 10 years of issue_date")
	}
	inv.IssueDate, inv.DueDate = issued.Format(time.DateOnly), due.Format(time.DateOnly)
	return inv
}

// checkAccount: an invoice is for an existing, open account, in its
// currency. One given neither a due date nor terms is due after the
// account's payment terms (a shorter_terms condition sets them), else 30
// days.
func checkAccount(v *checker, inv *credit.Invoice, account credit.Account, found bool) {
	if found && inv.DueDate == "" && inv.IssueDate != "" {
		terms := defaultTermsDays
		if account.PaymentTermsDays != nil {
			terms = *account.PaymentTermsDays
		}
		inv.DueDate = policy.ParseDate(inv.IssueDate).AddDate(0, 0, terms).Format(time.DateOnly)
	}
	switch {
	case !found:
		v.fail("account_id", "no account with this id")
	case account.Status == credit.AccountClosed:
		v.fail("account_id", "the account is closed")
	case inv.Amount.Currency != "" && inv.Amount.Currency != account.CreditLimit.Currency:
		v.fail("amount.currency", "must be the account's currency "+account.CreditLimit.Currency)
	}
}

func (h handlers) GetInvoice(ctx context.Context, req GetInvoiceRequestObject) (GetInvoiceResponseObject, error) {
	inv, err := h.readInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if err := h.Store.InvoiceHistory(ctx, &inv); err != nil {
		return nil, err
	}
	return GetInvoice200JSONResponse(h.followUp(ctx, inv)), nil
}

// readInvoice loads an invoice, if the user may see it.
func (s *Server) readInvoice(ctx context.Context, id string) (credit.Invoice, error) {
	inv, err := s.Store.Invoice(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return inv, notFound("invoice", id)
	}
	if err != nil {
		return inv, err
	}
	if u := currentUser(ctx); u.Role == credit.RoleSales {
		account, err := s.Store.Account(ctx, inv.AccountID)
		if err != nil {
			return inv, err
		}
		if !canSeeAccount(u, account.SalesRep) {
			return inv, forbidden("sales reps see the invoices of their own accounts")
		}
	}
	return inv, nil
}

// readOpenInvoice loads an invoice that is still followed up: 409 once it
// is paid or written off.
func (s *Server) readOpenInvoice(ctx context.Context, id string) (credit.Invoice, error) {
	inv, err := s.readInvoice(ctx, id)
	if err == nil && (inv.Status == credit.InvoicePaid || inv.Status == credit.InvoiceWrittenOff) {
		err = conflict(fmt.Sprintf("invoice %s is %s", inv.ID, inv.Status))
	}
	return inv, err
}

// followUp adds what only the running workflow knows: the next step and
// why, and the days overdue on the policy clock.
func (s *Server) followUp(ctx context.Context, inv credit.Invoice) credit.Invoice {
	inv.DaysOverdue = daysOverdue(inv, s.Now().UTC())
	if inv.Status != credit.InvoiceOpen && inv.Status != credit.InvoiceDisputed {
		return inv
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	v, err := s.Temporal.QueryWorkflow(ctx, workflows.InvoiceWorkflowID(inv.ID), "", workflows.StatusQuery)
	var live workflows.Invoice
	if err == nil {
		err = v.Get(&live)
	}
	if err != nil {
		s.Logger.Warn("invoice status query", "invoice_id", inv.ID, "error", err)
		return inv
	}
	inv.DaysOverdue = live.DaysOverdue
	if n := live.NextStep; n != nil {
		inv.NextStep = &credit.DunningStep{Day: n.Day, Action: n.Action, At: n.At, Reason: n.Reason, Outcome: n.Outcome}
	}
	if inv.Segment == "" {
		inv.Segment = live.Segment
	}
	return inv
}

// daysOverdue is how many calendar days past its due date an unpaid
// invoice is today.
func daysOverdue(inv credit.Invoice, today time.Time) int {
	if inv.Status != credit.InvoiceOpen && inv.Status != credit.InvoiceDisputed {
		return 0
	}
	return policy.DaysOverdue(policy.ParseDate(inv.DueDate), today)
}

// invoiceNow is the invoice as it is after an update, with its follow-up.
func (s *Server) invoiceNow(ctx context.Context, id string) (credit.Invoice, error) {
	inv, err := s.Store.Invoice(ctx, id)
	if err != nil {
		return inv, err
	}
	return s.followUp(ctx, inv), nil
}
