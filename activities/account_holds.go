package activities

import (
	"context"
	"errors"
	"maps"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/email"
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
// nothing twice. The message is the one that failed, as it was written;
// the customer's reply to it is read like any other. A new address that
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
		e := workflows.Email{Key: f.Key + "/to/" + in.Address, Kind: f.Kind}
		_, replyTo, replyRef := a.replyTo(e)
		args := maps.Clone(f.CustomArgs)
		args["email_key"] = e.Key
		m := email.Message{Key: e.Key, Kind: f.Kind, From: a.From, To: []string{in.Address}, Subject: f.Subject,
			Text: f.Text, HTML: f.HTML, CustomArgs: args, ReplyTo: replyTo}
		row := outboxRow(m, account.ID)
		row.ReplyRef, row.InvoiceIDs = replyRef, f.InvoiceIDs
		status, err := a.deliver(ctx, m, row)
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
