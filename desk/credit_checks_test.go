package desk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func TestRepChecksAnOrderRefusedAboveTheAvailableCreditAndAcceptedBelow(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	// A limit of EUR 50,000.00 with EUR 20,000.00 owed: EUR 30,000.00 available.
	account, invoice := store.NewID("acc"), store.NewID("inv")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Lakeside Paper AB', 'ap@lakeside.example', 'active', 'EUR', 5000000, $2)`, account, testenv.Rep)
	require.NoError(t, err)
	_, err = svc.Store.Pool.Exec(context.Background(), `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date)
		VALUES ($1, $2, 'LP-1', 'EUR', 2000000, 2000000, current_date - 5, current_date + 25)`, invoice, account)
	require.NoError(t, err)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Rep))
	b.follow("My accounts")
	b.follow("Lakeside Paper AB")
	b.seePage("Account: Lakeside Paper AB")
	b.follow("Check an order's credit")
	b.seePage("Credit check")

	b.typeInto("Order amount", "35000.00")
	b.press("Check credit")
	b.see("Do not ship: the order of EUR 35,000.00 exceeds the available credit of EUR 30,000.00")

	b.replace("Order amount", "25000.00")
	b.press("Check credit")
	b.see("This order may ship")
	b.see("within the available credit of EUR 30,000.00")
	b.see("EUR 25,000.00")
	b.screenshot("credit-check")

	// From the menu, the account is chosen in the form.
	b.follow("Credit check")
	b.seePage("Credit check")
	b.press("Check credit")
	b.see("account: choose the account that orders")
}
