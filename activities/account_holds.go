package activities

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// ChangeHold places or releases a credit person's hold (idempotent by its
// key) and, when the account's status moved, composes the email that
// tells its sales rep. A release that finds no hold left (released by a
// payment a moment before) changes nothing and tells nobody.
func (a *Activities) ChangeHold(ctx context.Context, in workflows.HoldChangeInput) (workflows.HoldChanged, error) {
	changed, err := a.Store.ChangeHold(ctx, store.HoldChange{
		Key: in.Key, AccountID: in.AccountID, Release: in.Release, By: in.By, Reason: in.Reason})
	if err != nil && !errors.Is(err, store.ErrNoHold) {
		return workflows.HoldChanged{}, err
	}
	account, err := a.Store.Account(ctx, in.AccountID)
	if err != nil {
		return workflows.HoldChanged{}, err
	}
	out := workflows.HoldChanged{Changed: changed, Status: account.Status}
	if !changed {
		return out, nil
	}
	kind, by := email.KindCreditHold, "HeldBy"
	if in.Release {
		kind, by = email.KindHoldReleased, "ReleasedBy"
	}
	out.Notice = &workflows.Email{
		Key: workflows.AccountHoldWorkflowID(in.Key) + "/rep", Kind: kind, To: []string{account.SalesRep},
		Facts: map[string]string{
			"AccountName": account.Name, "AccountID": account.ID, "SalesRep": account.SalesRep,
			"Reason": in.Reason, by: in.By,
			"Exposure": account.Exposure.Display(), "CreditLimit": account.CreditLimit.Display(),
		},
		IDs: map[string]string{"account_id": account.ID},
	}
	return out, nil
}

// ResendToNewContact sends the customer emails that did not reach the
// account's old billing address again, to the new one: each under a key
// of its own (the first email's key and the address), so a retry sends
// nothing twice. An invoice's own email is the one that failed, as it
// was written; an account's email of the day is written again with its
// invoices as they stand now, those paid since dropping out. The
// customer's reply to it is read like any other. A new address that
// fails too is recorded like any rejected email, and the rep hears of it
// again when SendGrid reports it.
func (a *Activities) ResendToNewContact(ctx context.Context, in workflows.ContactChangedInput) (int, error) {
	account, err := a.Store.Account(ctx, in.AccountID)
	if err != nil {
		return 0, err
	}
	if !strings.EqualFold(account.BillingEmail, in.Address) {
		return 0, nil // changed again since: that change sends its own
	}
	failed, err := a.Store.FailedCustomerEmails(ctx, account.ID, in.Address, email.CustomerKinds())
	if err != nil {
		return 0, err
	}
	resent := 0
	for _, f := range failed {
		key := f.Key + "/to/" + in.Address
		var status string
		if len(f.InvoiceIDs) > 1 {
			status, err = a.resendDay(ctx, account, f, key)
		} else {
			status, err = a.resendAsWritten(ctx, account, f, key)
		}
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeEmailRejected {
			continue // recorded as rejected; the other invoices' emails still go
		}
		if err != nil {
			return resent, err
		}
		if status == store.EmailSent || status == store.EmailLogged {
			resent++
		}
	}
	return resent, nil
}

// resendAsWritten sends an invoice's own email that failed again, as it
// was written, to the account's billing address.
func (a *Activities) resendAsWritten(ctx context.Context, account credit.Account, f store.FailedCustomerEmail, key string) (string, error) {
	e := workflows.Email{Key: key, Kind: f.Kind}
	_, replyTo, replyRef := a.replyTo(e)
	args := maps.Clone(f.CustomArgs)
	args["email_key"] = key
	m := email.Message{Key: key, Kind: f.Kind, From: a.From, To: []string{account.BillingEmail}, Subject: f.Subject,
		Text: f.Text, HTML: f.HTML, CustomArgs: args, ReplyTo: replyTo}
	row := outboxRow(m, account.ID)
	row.ReplyRef, row.InvoiceIDs = replyRef, f.InvoiceIDs
	return a.deliver(ctx, m, row)
}

// resendDay writes an account's email of the day again, to its billing
// address, listing the invoices it listed that are still owed, each as
// late as it is today; none left, it sends nothing.
func (a *Activities) resendDay(ctx context.Context, account credit.Account, f store.FailedCustomerEmail, key string) (string, error) {
	invoices, err := a.Store.InvoicesOf(ctx, account.ID, f.InvoiceIDs)
	if err != nil {
		return "", err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var owed []workflows.CustomerInvoice
	for _, inv := range invoices {
		if inv.Status != credit.InvoiceOpen || inv.Balance.Minor == 0 {
			continue
		}
		owed = append(owed, workflows.CustomerInvoice{InvoiceID: inv.ID, Number: inv.Number,
			Amount: workflows.MoneyOf(inv.Amount), Balance: workflows.MoneyOf(inv.Balance), DueDate: inv.DueDate,
			DaysPastDue: policy.Days(policy.ParseDate(inv.DueDate), today)})
	}
	if len(owed) == 0 {
		return "", nil
	}
	sent, err := a.SendCustomerEmail(ctx, workflows.CustomerEmail{Key: key, AccountID: account.ID, Kind: f.Kind, Invoices: owed})
	return sent.Status, err
}
