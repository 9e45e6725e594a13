package activities

import (
	"context"
	"errors"

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
