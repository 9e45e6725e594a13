package policy

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/money"
)

func TestCreditCheck(t *testing.T) {
	eur := func(minor int64) money.Money { return money.New(minor, "EUR") }
	for _, tc := range []struct {
		status   string
		amount   int64
		waiting  string
		approved bool
		reason   string
	}{
		{AccountActive, 500000, "", true, "within the available credit of EUR 10,000.00"},
		{AccountActive, 1000000, "", true, "within the available credit of EUR 10,000.00"},
		{AccountActive, 1000001, "", false, "the order of EUR 10,000.01 exceeds the available credit of EUR 10,000.00"},
		{AccountOnHold, 100, "", false, "the account is on credit hold: no order ships until the hold is released"},
		{AccountProspect, 100, "", false, "the account is a prospect: its credit is not approved yet"},
		{AccountClosed, 100, "", false, "the account is closed"},
		{AccountActive, 100, "waiting for the deposit of EUR 5,000.00", false,
			"the credit approval is waiting for the deposit of EUR 5,000.00: no order ships until credit has it"},
	} {
		got := CheckCredit(tc.status, eur(tc.amount), eur(1000000), tc.waiting)
		require.Equal(t, CreditCheck{Approved: tc.approved, Reason: tc.reason}, got, "%s %d", tc.status, tc.amount)
	}
}
