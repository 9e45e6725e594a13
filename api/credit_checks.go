package api

import (
	"context"
	"fmt"

	"github.com/creditflow/creditflow/credit"
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
	out := credit.CreditCheck{AvailableCredit: a.AvailableCredit}
	switch {
	case a.Status == credit.AccountOnHold:
		out.Reason = "the account is on credit hold: no order ships until the hold is released"
	case a.Status == credit.AccountProspect:
		out.Reason = "the account is a prospect: its credit is not approved yet"
	case a.Status == credit.AccountClosed:
		out.Reason = "the account is closed"
	case amount.Minor > a.AvailableCredit.Minor:
		out.Reason = fmt.Sprintf("the order of %s exceeds the available credit of %s", amount.Display(), a.AvailableCredit.Display())
	default:
		out.Approved = true
		out.Reason = fmt.Sprintf("within the available credit of %s", a.AvailableCredit.Display())
	}
	return CheckCredit200JSONResponse(out), nil
}
