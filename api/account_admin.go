package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// ChangeAccount applies PATCH /accounts/{id}: each field by the roles the
// design gives it, a field the caller may not change refused by name.
// The rep, the contact and the time zone are read when each email goes
// out, so a change applies to every later one; running workflows need no
// message.
func (h handlers) ChangeAccount(ctx context.Context, req ChangeAccountRequestObject) (ChangeAccountResponseObject, error) {
	a, err := h.readAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	u, body := currentUser(ctx), req.Body
	if u.Role != credit.RoleAdmin {
		for field, given := range map[string]bool{"sales_rep": body.SalesRep != nil, "status": body.Status != nil} {
			if given {
				return nil, forbidden(field + ": only an admin changes it")
			}
		}
	}
	if u.Role == credit.RoleAdmin && (body.BillingEmail != nil || body.TimeZone != nil) {
		return nil, forbidden("billing_email, time_zone: credit or the account's sales rep change them")
	}
	if body.PaymentTermsDays != nil && u.Role != credit.RoleCredit && u.Role != credit.RoleCreditManager {
		return nil, forbidden("payment_terms_days: credit sets an account's payment terms")
	}

	var v checker
	var c store.AccountChange
	if body.SalesRep != nil {
		rep := v.email("sales_rep", *body.SalesRep)
		c.SalesRep = &rep
	}
	if body.BillingEmail != nil {
		billing := v.email("billing_email", *body.BillingEmail)
		c.BillingEmail = &billing
	}
	if body.TimeZone != nil {
		zone := v.timeZone("time_zone", body.TimeZone)
		c.TimeZone = &zone
	}
	c.PaymentTermsDays = body.PaymentTermsDays
	c.Close = body.Status != nil
	if err := v.err(); err != nil {
		return nil, err
	}
	if c.SalesRep != nil {
		rep, err := h.Store.UserByEmail(ctx, *c.SalesRep)
		switch {
		case errors.Is(err, store.ErrNotFound), err == nil && (rep.Role != credit.RoleSales || rep.DisabledAt != nil):
			return nil, unprocessable(FieldProblem{"sales_rep", "must be an enabled sales user of Creditflow"})
		case err != nil:
			return nil, err
		}
	}
	if c.Close && a.Status == credit.AccountProspect {
		return nil, conflict("a prospect has no account to close: withdraw its request")
	}
	if err := h.Store.ChangeAccount(ctx, a.ID, u.Email, c); err != nil {
		return nil, err
	}
	if c.BillingEmail != nil {
		if err := h.resendToNewContact(ctx, a.ID, *c.BillingEmail); err != nil {
			return nil, err
		}
	}
	after, err := h.showAccount(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return ChangeAccount200JSONResponse(after), nil
}

// HoldAccount puts an account on hold by hand.
func (h handlers) HoldAccount(ctx context.Context, req HoldAccountRequestObject) (HoldAccountResponseObject, error) {
	a, err := h.changeHold(ctx, req.Id, req.Body.Reason, false)
	if err != nil {
		return nil, err
	}
	return HoldAccount200JSONResponse(a), nil
}

// ReleaseAccountHolds releases an account's holds by hand.
func (h handlers) ReleaseAccountHolds(ctx context.Context, req ReleaseAccountHoldsRequestObject) (ReleaseAccountHoldsResponseObject, error) {
	a, err := h.changeHold(ctx, req.Id, req.Body.Reason, true)
	if err != nil {
		return nil, err
	}
	return ReleaseAccountHolds200JSONResponse(a), nil
}

// changeHold runs the hold's workflow and waits for it: the hold is
// placed, and the rep's email on its way, when the answer comes. A retry
// with the same Idempotency-Key joins the same workflow.
func (s *Server) changeHold(ctx context.Context, accountID, reason string, release bool) (credit.Account, error) {
	var v checker
	reason = v.line("reason", reason, true)
	if err := v.err(); err != nil {
		return credit.Account{}, err
	}
	a, err := s.readAccount(ctx, accountID)
	if err != nil {
		return a, err
	}
	switch {
	case !release && (a.Status == credit.AccountClosed || a.Status == credit.AccountProspect):
		return a, conflict(fmt.Sprintf("a %s account cannot be put on hold", a.Status))
	case release && a.Status != credit.AccountOnHold:
		return a, conflict("the account has no hold to release")
	}
	what := a.ID + "/hold"
	if release {
		what = a.ID + "/release"
	}
	key := keyedByRequest(ctx, "hold", what)
	if key == "" {
		key = store.NewID("hold")
	}
	in := workflows.HoldChangeInput{Key: key, AccountID: a.ID, Release: release, By: currentUser(ctx).Email, Reason: reason}
	if err := s.runToEnd(ctx, workflows.AccountHoldWorkflowID(key), workflows.AccountHoldWorkflow, in, nil); err != nil {
		return a, err
	}
	return s.showAccount(ctx, a.ID)
}

// resendToNewContact starts the workflow that sends what did not reach the
// old billing address to the new one. Its id names the account and the
// address, so it is started after the change is stored and again by a
// retry of the same change (it is then already started: nothing twice).
func (s *Server) resendToNewContact(ctx context.Context, accountID, address string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	in := workflows.ContactChangedInput{AccountID: accountID, Address: address}
	_, err := s.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.ContactChangedWorkflowID(accountID, address), s.TaskQueue),
		workflows.ContactChangedWorkflow, in)
	if err != nil && !alreadyStarted(err) {
		s.Logger.Error("start contact changed workflow", "account_id", accountID, "error", err)
		return unavailable("the new billing email is saved, but the emails it did not receive could not be queued again; " +
			"send the same change again")
	}
	return nil
}
