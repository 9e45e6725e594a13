package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// StartDunning writes the invoice's row if the API could not, classifies
// the account by its payment history, lays out the segment's steps on the
// invoice's policy days, and puts the account on hold when this invoice
// pushes its exposure over its limit.
func (a *Activities) StartDunning(ctx context.Context, in workflows.StartDunningInput) (workflows.DunningPlan, error) {
	inv := in.Invoice
	issueDate, err1 := time.Parse(time.DateOnly, inv.IssueDate)
	dueDate, err2 := time.Parse(time.DateOnly, inv.DueDate)
	if err := errors.Join(err1, err2); err != nil {
		return workflows.DunningPlan{}, temporal.NewNonRetryableApplicationError("invoice dates: "+err.Error(), workflows.ErrTypeInvalidInvoice, err)
	}
	// Histories from before the workflow could write the row carry no
	// creator: their row was written before their workflow started.
	if in.CreatedBy != "" {
		switch err := a.Store.CreateInvoice(ctx, invoiceRow(inv, in.CreatedBy)); {
		case errors.Is(err, store.ErrConflict):
			return workflows.DunningPlan{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("account %s already has another invoice numbered %q", inv.AccountID, inv.Number), workflows.ErrTypeDuplicate, err)
		case err != nil:
			return workflows.DunningPlan{}, err
		}
	}
	account, err := a.Store.Account(ctx, inv.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.DunningPlan{}, temporal.NewNonRetryableApplicationError("account "+inv.AccountID+" not found", workflows.ErrTypeNotFound, err)
	}
	if err != nil {
		return workflows.DunningPlan{}, err
	}
	d := a.Policy.Dunning
	record, err := a.Store.PaymentRecord(ctx, account.ID, in.Now.AddDate(-1, 0, 0), d.SlowLateDays)
	if err != nil {
		return workflows.DunningPlan{}, err
	}
	segment := d.Segment(record)
	plan := workflows.DunningPlanOf(d.Plan(segment, issueDate, dueDate, in.Now, location(account.TimeZone), a.Day))
	if err := a.Store.RecordPlan(ctx, account.ID, inv.ID, segment, plan.Issued); err != nil {
		return workflows.DunningPlan{}, err
	}
	if (account.Status == credit.AccountActive || account.Status == credit.AccountOnHold) && account.Exposure.Minor > account.CreditLimit.Minor {
		plan.ExposureHold, err = a.Store.PlaceHold(ctx, "invoice/"+inv.ID+"/exposure-hold", account.ID, inv.ID, "exposure",
			fmt.Sprintf("Credit hold: invoice %s brings the exposure to %s, over the credit limit of %s",
				inv.Number, account.Exposure.Display(), account.CreditLimit.Display()))
		if err != nil {
			return workflows.DunningPlan{}, err
		}
	}
	return plan, nil
}

func location(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return time.UTC
	}
	return loc
}

// SendInvoiceEmail sends one email about an invoice through SendEmail.
// A customer email re-reads the invoice first and is skipped when it is
// no longer open with a balance: a reminder never follows a payment.
func (a *Activities) SendInvoiceEmail(ctx context.Context, e workflows.InvoiceEmail) (workflows.SentEmail, error) {
	inv, err := a.Store.Invoice(ctx, e.InvoiceID)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError("invoice "+e.InvoiceID+" not found", workflows.ErrTypeNotFound, err)
	}
	if err != nil {
		return workflows.SentEmail{}, err
	}
	if email.IsCustomerKind(e.Kind) && (inv.Status != credit.InvoiceOpen || inv.Balance.Minor == 0) {
		return workflows.SentEmail{Status: workflows.EmailSkipped}, nil
	}
	account, err := a.Store.Account(ctx, inv.AccountID)
	if err != nil {
		return workflows.SentEmail{}, err
	}
	facts := map[string]string{
		"AccountName":   account.Name,
		"AccountID":     account.ID,
		"InvoiceID":     inv.ID,
		"InvoiceNumber": inv.Number,
		"Amount":        inv.Amount.Display(),
		"Balance":       inv.Balance.Display(),
		"IssueDate":     inv.IssueDate,
		"DueDate":       inv.DueDate,
		"DaysOverdue":   strconv.Itoa(max(e.DaysPastDue, 0)),
		"DaysToDue":     strconv.Itoa(max(-e.DaysPastDue, 0)),
		"SalesRep":      account.SalesRep,
		"BillingEmail":  account.BillingEmail,
		"Reason":        e.Reason,
		"EscalationID":  e.EscalationID,
		"AccountStatus": account.Status,
		"Exposure":      account.Exposure.Display(),
		"CreditLimit":   account.CreditLimit.Display(),
	}
	out := workflows.Email{Key: e.Key, Kind: e.Kind, To: e.To, Facts: facts,
		IDs: map[string]string{"invoice_id": inv.ID, "account_id": account.ID, "escalation_id": e.EscalationID}}
	switch e.Kind {
	case email.KindCourtesyNotice, email.KindInvoiceReminder, email.KindFinalNotice:
		out.To = []string{account.BillingEmail}
	case email.KindSalesEscalation:
		out.To = []string{account.SalesRep}
		if err := a.picture(ctx, account.ID, facts); err != nil {
			return workflows.SentEmail{}, err
		}
	case email.KindEscalationOverdue:
		rep, err := a.Store.UserByEmail(ctx, account.SalesRep)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return workflows.SentEmail{}, err
		}
		if rep.ManagerEmail != "" {
			out.To = []string{rep.ManagerEmail}
		} else {
			out.Audience = workflows.AudienceCreditManagers
		}
		if err := a.picture(ctx, account.ID, facts); err != nil {
			return workflows.SentEmail{}, err
		}
	case email.KindCreditHold, email.KindHoldReleased, email.KindPaymentReceived, email.KindContactMissing:
		out.To = []string{account.SalesRep}
	case email.KindDisputeOpened:
		if len(out.To) == 0 {
			out.To = []string{account.SalesRep}
		}
	}
	return a.SendEmail(ctx, out)
}

// picture adds the account's picture to an escalation's facts: open
// invoices with how late they are, reminders already sent, recent notes.
func (a *Activities) picture(ctx context.Context, accountID string, facts map[string]string) error {
	p, err := a.Store.AccountPicture(ctx, accountID)
	if err != nil {
		return err
	}
	now := time.Now()
	var invoices, notes []string
	for _, inv := range p.OpenInvoices {
		line := fmt.Sprintf("%s: %s of %s open, due %s", inv.Number, inv.Balance.Display(), inv.Amount.Display(), inv.DueDate)
		if n := a.daysOverdue(inv, now); n > 0 {
			line += fmt.Sprintf(", %d days overdue", n)
		}
		if inv.Status == credit.InvoiceDisputed {
			line += " (disputed)"
		}
		invoices = append(invoices, line)
	}
	for _, n := range p.Notes {
		notes = append(notes, fmt.Sprintf("%s, %s (%s): %s", n.CreatedAt.Format(time.DateOnly), n.Author, n.Department, n.Body))
	}
	facts["OpenInvoices"] = strings.Join(invoices, "\n")
	facts["RemindersSent"] = strconv.Itoa(p.RemindersSent)
	facts["Notes"] = strings.Join(notes, "\n")
	return nil
}

// daysOverdue counts an open invoice's days overdue on its policy clock,
// as its workflow does, once its follow-up is planned; before, in
// calendar days.
func (a *Activities) daysOverdue(inv credit.Invoice, now time.Time) int {
	due := policy.ParseDate(inv.DueDate)
	if inv.DayZero == nil || a.Day <= 0 {
		return policy.DaysOverdue(due, now.UTC())
	}
	clock := policy.Clock{DayZero: *inv.DayZero, Day: a.Day}
	return clock.DayAt(now) - policy.Days(policy.ParseDate(inv.IssueDate), due)
}

// RecordDunningStep keeps a step taken, for GET /invoices/{id} and the
// account's timeline.
func (a *Activities) RecordDunningStep(ctx context.Context, r workflows.StepRecord) error {
	return a.Store.RecordStep(ctx, r.Key, r.InvoiceID, stepRow(r.Step))
}

// PlaceCreditHold puts the account on hold at an invoice's hold step. It
// reports whether the account went on hold just now (the rep is told).
func (a *Activities) PlaceCreditHold(ctx context.Context, h workflows.HoldRequest) (bool, error) {
	return a.Store.PlaceHold(ctx, h.Key, h.AccountID, h.InvoiceID, "invoice", h.Summary)
}
