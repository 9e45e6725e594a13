package policy

import (
	"fmt"

	"github.com/creditflow/creditflow/money"
)

// Account statuses the credit check knows (the API's).
const (
	AccountProspect = "prospect"
	AccountActive   = "active"
	AccountOnHold   = "on_hold"
	AccountClosed   = "closed"
)

// CreditCheck is the answer to "may this order ship?".
type CreditCheck struct {
	Approved bool
	Reason   string
}

// CheckCredit decides whether an order of amount may ship on an account:
// not while it is on hold, a prospect or closed, nor while its approval
// waits for a condition (waiting says for what), nor beyond its available
// credit.
func CheckCredit(status string, amount, available money.Money, waiting string) CreditCheck {
	switch {
	case status == AccountOnHold:
		return CreditCheck{Reason: "the account is on credit hold: no order ships until the hold is released"}
	case status == AccountProspect:
		return CreditCheck{Reason: "the account is a prospect: its credit is not approved yet"}
	case status == AccountClosed:
		return CreditCheck{Reason: "the account is closed"}
	case waiting != "":
		return CreditCheck{Reason: "the credit approval is " + waiting + ": no order ships until credit has it"}
	case amount.Minor > available.Minor:
		return CreditCheck{Reason: fmt.Sprintf("the order of %s exceeds the available credit of %s", amount.Display(), available.Display())}
	}
	return CreditCheck{Approved: true, Reason: fmt.Sprintf("within the available credit of %s", available.Display())}
}
