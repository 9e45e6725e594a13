package api

import (
	"context"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
)

// The document's CreditCheck is the domain's.
type CreditCheck = credit.CreditCheck

// CheckCredit answers whether an order of the amount may ship: not while
// the account is on hold, nor beyond its available credit.
func (h handlers) CheckCredit(ctx context.Context, req CheckCreditRequestObject) (CheckCreditResponseObject, error) {
	var v checker
	amount := v.positiveMoney("amount", req.Body.Amount)
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := h.readAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if amount.Currency != a.CreditLimit.Currency {
		return nil, unprocessable(FieldProblem{"amount.currency", "must be the account's currency " + a.CreditLimit.Currency})
	}
	pending, err := h.Store.PendingConditions(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	check := policy.CheckCredit(a.Status, amount, a.AvailableCredit, credit.Waiting(pending))
	return CheckCredit200JSONResponse(credit.CreditCheck{Approved: check.Approved, AvailableCredit: a.AvailableCredit, Reason: check.Reason}), nil
}
