package main

// Path 3: a big account. One account with thousands of open invoices
// and one with ten, side by side: reading the account, a credit check
// and a payment on the big one should cost what they cost on the small
// one, which they do when nothing on the way reads every open invoice.

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/creditflow/creditflow/store"
)

// followed is how many invoices of each account are created through the
// API, with their workflows, for the payments; the big account's others
// are written straight to the database (their workflows would only sleep).
const followed = 10

func runBigAccount(b benchSetup, sz sizes, t *table) error {
	ctx := context.Background()
	s, admin, err := startStackAs(ctx, b, "bench@example.com", "admin")
	defer s.close()
	if err != nil {
		return err
	}
	ids, err := benchAccounts(ctx, s.st, 2)
	if err != nil {
		return err
	}
	big, small := ids[0], ids[1]
	if _, err := s.st.Pool.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date)
		SELECT 'inv_bulk_' || k, $1, 'BULK-' || k, 'EUR', 10000, 10000, current_date - (k % 60), current_date - (k % 60) + 30
		FROM generate_series(1, $2::int) AS k`, big, sz.bigAccount-followed); err != nil {
		return err
	}
	if _, err := s.st.Pool.Exec(ctx, `ANALYZE invoices`); err != nil {
		return err
	}
	invoices := map[string][]string{}
	for _, acc := range []string{big, small} {
		for k := range followed {
			var inv struct{ ID string }
			if _, err := callWant(ctx, s.apiURL, http.MethodPost, "/api/v1/invoices", admin, map[string]any{
				"account_id": acc, "number": fmt.Sprintf("PAY-%d", k), "amount": eur("100.00"),
				"issue_date": time.Now().UTC().Format(time.DateOnly), "terms_days": 30,
			}, http.StatusCreated, &inv); err != nil {
				return err
			}
			invoices[acc] = append(invoices[acc], inv.ID)
		}
	}
	if err := waitFor("the paid invoices' workflows to plan them", time.Minute, func() (bool, error) {
		return planned(ctx, s.st) >= 2*followed, nil
	}); err != nil {
		return err
	}

	var profiled func()
	if b.pprofDir != "" {
		profiled = s.profile(b, "3-big-account")
	}
	// Each call on the big account, then the same on the small one, so
	// that the machine's noise falls on both alike.
	took := map[string]map[string][]time.Duration{big: {}, small: {}}
	kinds := []string{"GET /accounts/{id}", "credit check", "payment"}
	for k := range sz.calls {
		for _, acc := range []string{big, small} {
			d, err := callWant(ctx, s.apiURL, http.MethodGet, "/api/v1/accounts/"+acc, admin, nil, http.StatusOK, nil)
			if err != nil {
				return err
			}
			took[acc][kinds[0]] = append(took[acc][kinds[0]], d)
			if d, err = callWant(ctx, s.apiURL, http.MethodPost, "/api/v1/accounts/"+acc+"/credit-checks", admin,
				map[string]any{"amount": eur("500.00")}, http.StatusOK, nil); err != nil {
				return err
			}
			took[acc][kinds[1]] = append(took[acc][kinds[1]], d)
			// A payment of 1.00 on each of the followed invoices in turn.
			if d, err = callWant(ctx, s.apiURL, http.MethodPost, "/api/v1/invoices/"+invoices[acc][k%followed]+"/payments", admin, map[string]any{
				"amount": eur("1.00"), "received_at": time.Now().UTC().Format(time.RFC3339), "reference": fmt.Sprintf("BENCH-%d", k),
			}, http.StatusOK, nil); err != nil {
				return err
			}
			took[acc][kinds[2]] = append(took[acc][kinds[2]], d)
		}
	}
	if profiled != nil {
		profiled()
	}
	a, err := s.st.Account(ctx, big)
	if err != nil {
		return err
	}
	fmt.Printf("big account: %d open invoices, exposure %s; small: %d\n", sz.bigAccount, a.Exposure.Display(), followed)
	for _, kind := range kinds {
		bigP50, smallP50 := percentile(took[big][kind], 0.5), percentile(took[small][kind], 0.5)
		fmt.Printf("%-20s median %s on the big account, %s on the small one (%d calls each): ratio %.2f (aim: at most 2)\n",
			kind+":", ms(bigP50), ms(smallP50), len(took[big][kind]), ratio(bigP50, smallP50))
		t.add("3 big account", fmt.Sprintf("%s, median: %d open invoices / %d", kind, sz.bigAccount, followed),
			ms(bigP50), ms(smallP50)+" (small account)", fmt.Sprintf("%.2f", ratio(bigP50, smallP50)), "≤ 2")
	}
	return nil
}

// planned counts the invoices whose workflow has taken its first step.
func planned(ctx context.Context, st *store.Store) int {
	var done int
	_ = st.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE segment <> ''`).Scan(&done)
	return done
}
