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
)

// DunningStart asks for an invoice's dunning plan. Now is the workflow's
// clock: the activity never reads its own, so a plan depends only on what
// the workflow recorded.
type DunningStart struct {
	Invoice credit.Invoice `json:"invoice"`
	Now     time.Time      `json:"now"`
}

// DunningPlan is how an invoice will be followed up, fixed when its
// workflow starts: a running invoice keeps the segment and the policy it
// started with.
type DunningPlan struct {
	Segment string        `json:"segment"`
	Day     time.Duration `json:"day"`
	// Issued is the instant of policy day 0: the workflow's start minus
	// the invoice's age in policy days.
	Issued time.Time `json:"issued"`
	// DueDay is the due date's policy day (net-30: 30).
	DueDay            int           `json:"due_day"`
	Steps             []PlannedStep `json:"steps"`
	EscalationAckDays int           `json:"escalation_ack_days"`
	MaxPauseDays      int           `json:"max_pause_days"`
	MaxPromiseDays    int           `json:"max_promise_days"`
	// ExposureHold: this invoice pushed the account's exposure over its
	// limit and put it on hold.
	ExposureHold bool `json:"exposure_hold"`
}

// DaysPastDue is the invoice's policy day relative to its due date at
// now (negative before it).
func (p DunningPlan) DaysPastDue(now time.Time) int {
	return PolicyDay(p.Issued, p.Day, now) - p.DueDay
}

// PolicyDay is the invoice's policy day at now: whole days of length day
// since its day zero (negative before it). The workflows and the emails
// count days with it alone.
func PolicyDay(dayZero time.Time, day time.Duration, now time.Time) int {
	if day <= 0 {
		return 0
	}
	since := now.Sub(dayZero)
	n := int(since / day)
	if since%day < 0 {
		n-- // floor, not truncation, before day zero
	}
	return n
}

// PlannedStep is a dunning step with the instant it falls due, before any
// pause moves it.
type PlannedStep struct {
	Day    int       `json:"day"`    // relative to the due date
	Action string    `json:"action"` // the policy's action
	Label  string    `json:"label"`  // the API's action: second_reminder, credit_hold…
	At     time.Time `json:"at"`
}

// CustomerFacing reports whether the step writes to the customer.
func (s PlannedStep) CustomerFacing() bool {
	return policy.Step{Day: s.Day, Action: s.Action}.CustomerFacing()
}

// StartDunning classifies the account by its payment history, lays out
// the segment's steps on the invoice's policy days, and puts the account
// on hold when this invoice pushes its exposure over its limit.
//
// Day n of an invoice is Issued + n×Day. With the 24h day, customer-facing
// steps go out at the policy's send hour (09:00) in the account's time
// zone on their calendar day, never in the middle of the night.
func (a *Activities) StartDunning(ctx context.Context, in DunningStart) (DunningPlan, error) {
	inv := in.Invoice
	account, err := a.Store.Account(ctx, inv.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return DunningPlan{}, temporal.NewNonRetryableApplicationError("account "+inv.AccountID+" not found", ErrTypeNotFound, err)
	}
	if err != nil {
		return DunningPlan{}, err
	}
	issueDate, err1 := time.Parse(time.DateOnly, inv.IssueDate)
	dueDate, err2 := time.Parse(time.DateOnly, inv.DueDate)
	if err := errors.Join(err1, err2); err != nil {
		return DunningPlan{}, temporal.NewNonRetryableApplicationError("invoice dates: "+err.Error(), "InvalidInvoice", err)
	}
	d := a.Policy.Dunning
	segment, err := a.Store.PaymentSegment(ctx, account.ID, in.Now.AddDate(-1, 0, 0), d)
	if err != nil {
		return DunningPlan{}, err
	}
	plan := NewDunningPlan(d, segment, issueDate, dueDate, in.Now, location(account.TimeZone), a.Day)
	if err := a.Store.RecordPlan(ctx, account.ID, inv.ID, segment, plan.Issued); err != nil {
		return DunningPlan{}, err
	}
	if (account.Status == credit.AccountActive || account.Status == credit.AccountOnHold) && account.Exposure.Minor > account.CreditLimit.Minor {
		plan.ExposureHold, err = a.Store.PlaceHold(ctx, "invoice/"+inv.ID+"/exposure-hold", account.ID, inv.ID, "exposure",
			fmt.Sprintf("Credit hold: invoice %s brings the exposure to %s, over the credit limit of %s",
				inv.Number, account.Exposure.Display(), account.CreditLimit.Display()))
		if err != nil {
			return DunningPlan{}, err
		}
	}
	return plan, nil
}

// NewDunningPlan lays a segment's steps out on an invoice's policy days:
// day n is Issued + n×day, with Issued the moment now minus the invoice's
// age in days (today in the account's time zone − issue date). With the
// 24h day, customer-facing steps go out at the policy's send hour in loc on
// their calendar day.
func NewDunningPlan(d policy.Dunning, segment string, issueDate, dueDate, now time.Time, loc *time.Location, day time.Duration) DunningPlan {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	age := days(issueDate, today)
	plan := DunningPlan{
		Segment:           segment,
		Day:               day,
		Issued:            now.Add(-time.Duration(age) * day),
		DueDay:            days(issueDate, dueDate),
		EscalationAckDays: d.EscalationAckDays,
		MaxPauseDays:      d.MaxPauseDays,
		MaxPromiseDays:    d.MaxPromiseDays,
	}
	reminders := 0
	for _, s := range d.Segments[segment] {
		n := plan.DueDay + s.Day
		p := PlannedStep{Day: s.Day, Action: s.Action, Label: s.Action, At: plan.Issued.Add(time.Duration(n) * day)}
		switch s.Action {
		case policy.ActionReminder:
			if reminders++; reminders > 1 {
				p.Label = "second_reminder"
			}
		case policy.ActionHold:
			p.Label = "credit_hold"
		}
		if day == 24*time.Hour && s.CustomerFacing() {
			date := issueDate.AddDate(0, 0, n)
			p.At = time.Date(date.Year(), date.Month(), date.Day(), d.CustomerSendHour, 0, 0, 0, loc)
		}
		plan.Steps = append(plan.Steps, p)
	}
	return plan
}

func location(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return time.UTC
	}
	return loc
}

// days counts calendar days from a to b (dates at midnight UTC).
func days(a, b time.Time) int { return int(b.Sub(a).Round(time.Hour).Hours() / 24) }

// InvoiceEmail asks for an email about an invoice or an escalation; the
// activity reads the account and the invoice and composes the facts, so
// that the email shows the balance as it is when it goes out.
type InvoiceEmail struct {
	Key          string `json:"key"`
	Kind         string `json:"kind"`
	InvoiceID    string `json:"invoice_id"`
	EscalationID string `json:"escalation_id,omitempty"`
	// DaysPastDue is the invoice's policy day relative to its due date.
	DaysPastDue int `json:"days_past_due"`
	// To overrides the recipients (a dispute's owner).
	To []string `json:"to,omitempty"`
	// Reason says why, for the rep and the managers.
	Reason string `json:"reason,omitempty"`
}

// Outcome of a customer email not sent because nothing is owed any more.
const EmailSkipped = "skipped"

// customerKinds write to the billing contact.
var customerKinds = map[string]bool{email.KindCourtesyNotice: true, email.KindInvoiceReminder: true, email.KindFinalNotice: true}

// SendInvoiceEmail sends one email about an invoice through SendEmail.
// A customer email re-reads the invoice first and is skipped when it is
// no longer open with a balance: a reminder never follows a payment.
func (a *Activities) SendInvoiceEmail(ctx context.Context, e InvoiceEmail) (SentEmail, error) {
	inv, err := a.Store.Invoice(ctx, e.InvoiceID)
	if errors.Is(err, store.ErrNotFound) {
		return SentEmail{}, temporal.NewNonRetryableApplicationError("invoice "+e.InvoiceID+" not found", ErrTypeNotFound, err)
	}
	if err != nil {
		return SentEmail{}, err
	}
	if customerKinds[e.Kind] && (inv.Status != credit.InvoiceOpen || inv.Balance.Minor == 0) {
		return SentEmail{Status: EmailSkipped}, nil
	}
	account, err := a.Store.Account(ctx, inv.AccountID)
	if err != nil {
		return SentEmail{}, err
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
	out := Email{Key: e.Key, Kind: e.Kind, To: e.To, Facts: facts,
		IDs: map[string]string{"invoice_id": inv.ID, "account_id": account.ID, "escalation_id": e.EscalationID}}
	switch e.Kind {
	case email.KindCourtesyNotice, email.KindInvoiceReminder, email.KindFinalNotice:
		out.To = []string{account.BillingEmail}
	case email.KindSalesEscalation:
		out.To = []string{account.SalesRep}
		if err := a.picture(ctx, account.ID, facts); err != nil {
			return SentEmail{}, err
		}
	case email.KindEscalationOverdue:
		rep, err := a.Store.UserByEmail(ctx, account.SalesRep)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return SentEmail{}, err
		}
		if rep.ManagerEmail != "" {
			out.To = []string{rep.ManagerEmail}
		} else {
			out.Audience = AudienceCreditManagers
		}
		if err := a.picture(ctx, account.ID, facts); err != nil {
			return SentEmail{}, err
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
	if inv.DayZero == nil || a.Day <= 0 {
		return store.DaysOverdue(inv, now.UTC())
	}
	issued, err1 := time.Parse(time.DateOnly, inv.IssueDate)
	due, err2 := time.Parse(time.DateOnly, inv.DueDate)
	if err1 != nil || err2 != nil {
		return 0
	}
	return PolicyDay(*inv.DayZero, a.Day, now) - days(issued, due)
}

// StepRecord is a dunning step the workflow took.
type StepRecord struct {
	Key       string             `json:"key"`
	InvoiceID string             `json:"invoice_id"`
	Step      credit.DunningStep `json:"step"`
}

// RecordDunningStep keeps a step taken, for GET /invoices/{id} and the
// account's timeline.
func (a *Activities) RecordDunningStep(ctx context.Context, r StepRecord) error {
	return a.Store.RecordStep(ctx, r.Key, r.InvoiceID, r.Step)
}

// HoldRequest puts an account on hold because of an invoice.
type HoldRequest struct {
	Key       string `json:"key"`
	AccountID string `json:"account_id"`
	InvoiceID string `json:"invoice_id"`
	Summary   string `json:"summary"`
}

// PlaceCreditHold puts the account on hold at an invoice's hold step. It
// reports whether the account went on hold just now (the rep is told).
func (a *Activities) PlaceCreditHold(ctx context.Context, h HoldRequest) (bool, error) {
	return a.Store.PlaceHold(ctx, h.Key, h.AccountID, h.InvoiceID, "invoice", h.Summary)
}

// RecordPayment applies a payment and releases holds whose cause is gone.
func (a *Activities) RecordPayment(ctx context.Context, invoiceID string, p credit.Payment) (store.Settlement, error) {
	return a.Store.RecordPayment(ctx, invoiceID, p)
}

// OpenDispute records a dispute.
func (a *Activities) OpenDispute(ctx context.Context, d credit.Dispute, openedBy string) error {
	return a.Store.OpenDispute(ctx, d, openedBy)
}

// ResolveDispute closes a dispute, applying its credit note.
func (a *Activities) ResolveDispute(ctx context.Context, r credit.DisputeResolution, at time.Time) (store.Settlement, error) {
	return a.Store.ResolveDispute(ctx, r, at)
}

// RecordPromise keeps a promise to pay.
func (a *Activities) RecordPromise(ctx context.Context, key, invoiceID string, p credit.PromiseToPay) error {
	return a.Store.RecordPromise(ctx, key, invoiceID, p)
}

// SettlePromise marks a promise kept or broken.
func (a *Activities) SettlePromise(ctx context.Context, key, status string) error {
	return a.Store.SettlePromise(ctx, key, status)
}

// WriteOffInvoice ends an invoice as uncollectable.
func (a *Activities) WriteOffInvoice(ctx context.Context, invoiceID string, w credit.WriteOff) (store.Settlement, error) {
	return a.Store.WriteOffInvoice(ctx, invoiceID, w)
}

// OpenEscalation records an escalation to the account's sales rep and
// returns it with the rep's address.
func (a *Activities) OpenEscalation(ctx context.Context, e credit.Escalation, reason string) (credit.Escalation, error) {
	return a.Store.CreateEscalation(ctx, e, reason)
}

// MarkEscalationOverdue records that the rep did not acknowledge in time.
func (a *Activities) MarkEscalationOverdue(ctx context.Context, id string) error {
	return a.Store.EscalationOverdue(ctx, id)
}

// CloseEscalation records that an escalation's invoice was settled before
// the rep acknowledged it.
func (a *Activities) CloseEscalation(ctx context.Context, id string) error {
	return a.Store.CloseEscalation(ctx, id)
}

// AcknowledgeEscalation records the rep's acknowledgement.
func (a *Activities) AcknowledgeEscalation(ctx context.Context, id string, ack credit.Acknowledgement, at time.Time) (credit.Escalation, error) {
	return a.Store.AcknowledgeEscalation(ctx, id, ack, at)
}
