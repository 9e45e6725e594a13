package desk_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// agedInvoice is one invoice of the report's data set: its amount in
// whole euros, and its due date and issue date in days from today.
type agedInvoice struct {
	account     string
	euros       int64
	due, issued int
}

// bucket is the aging bucket of an invoice due in due days (0 current,
// 1 1–30 days late, 2 31–60, 3 61–90, 4 over 90).
func bucket(due int) int {
	late := -due
	switch {
	case late <= 0:
		return 0
	case late <= 30:
		return 1
	case late <= 60:
		return 2
	case late <= 90:
		return 3
	}
	return 4
}

// chartLabels reads the aging chart's bars: their widths and labels.
func (b *browser) chartLabels() (widths []float64, labels []string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	ws, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("figure.chart svg rect.bar")).map(r => r.getAttribute("width"))`))
	require.NoError(b.t, err, "the chart's bars")
	labels, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("figure.chart svg text.bar-value")).map(t => t.textContent)`))
	require.NoError(b.t, err, "the chart's labels")
	for _, w := range ws {
		f, err := strconv.ParseFloat(w, 64)
		require.NoError(b.t, err)
		widths = append(widths, f)
	}
	return widths, labels
}

func TestReportsPageDrawsTheAgingAndFiguresOfAFixedDataSet(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	ctx := context.Background()
	mine, theirs := store.NewID("acc"), store.NewID("acc")
	for _, a := range []struct{ id, name, rep string }{{mine, "Harbour Mills GmbH", testenv.Rep}, {theirs, "Copperline Trading Ltd", testenv.OtherRep}} {
		_, err := svc.Store.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
			VALUES ($1, $2, 'ap@customer.example', 'active', 'EUR', 10000000, $3)`, a.id, a.name, a.rep)
		require.NoError(t, err)
	}
	invoices := []agedInvoice{
		{mine, 1000, 10, -20},
		{mine, 2000, -10, -40},
		{mine, 3000, -45, -75},
		{mine, 4000, -100, -130},
		{theirs, 500, -45, -75},
	}
	var buckets [5]struct {
		euros int64
		count int
	}
	var open, invoiced, atStart, invoicedInWindow int64
	for i, inv := range invoices {
		_, err := svc.Store.Pool.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date)
			VALUES ($1, $2, $3, 'EUR', $4, $4, current_date + $5::int, current_date + $6::int)`,
			store.NewID("inv"), inv.account, fmt.Sprint("R-", i), inv.euros*100, inv.issued, inv.due)
		require.NoError(t, err)
		buckets[bucket(inv.due)].euros += inv.euros
		buckets[bucket(inv.due)].count++
		open += inv.euros
		if inv.issued > -90 { // the 90 days ending today
			invoiced += inv.euros
		}
		if inv.issued <= -30 { // before the 30 days ending today
			atStart += inv.euros
		} else {
			invoicedInWindow += inv.euros
		}
	}
	// The README's definitions, over the data set.
	dso := float64(open) / float64(invoiced) * 90
	current := buckets[0].euros
	cei := float64(atStart+invoicedInWindow-open) / float64(atStart+invoicedInWindow-current) * 100
	eur := func(euros int64) string { return money.FromMajor(euros, "EUR").Display() }

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.CreditManager))
	b.follow("Reports")
	b.seePage("Receivables report")
	b.see("As of " + time.Now().UTC().Format(time.DateOnly))

	widths, labels := b.chartLabels()
	require.Len(t, widths, 5)
	largest := int64(0)
	for _, bk := range buckets {
		largest = max(largest, bk.euros)
	}
	for i, bk := range buckets {
		noun := "invoices"
		if bk.count == 1 {
			noun = "invoice"
		}
		require.Equal(t, fmt.Sprintf("%s · %d %s", eur(bk.euros), bk.count, noun), labels[i], "bucket %d's label", i)
		require.InDelta(t, float64(bk.euros)/float64(largest), widths[i]/widths[4], 0.01, "bucket %d's bar is in proportion", i)
	}
	b.see(fmt.Sprintf("%.1f days", dso))
	b.see(fmt.Sprintf("%.1f%%", cei))
	b.see(eur(open)) // the aging table's total
	b.see(testenv.OtherRep)
	b.screenshot("reports")

	// Fifty days ago only three invoices were issued; two were not due.
	then := time.Now().UTC().AddDate(0, 0, -50).Format(time.DateOnly)
	b.visit("/desk/reports?as_of=" + then)
	b.see("As of " + then)
	_, labels = b.chartLabels()
	require.Equal(t, eur(3500)+" · 2 invoices", labels[0])
	require.Equal(t, eur(4000)+" · 1 invoice", labels[2])

	b.visit("/desk/reports?as_of=2025-13-45")
	b.see("as of: must be a date YYYY-MM-DD") // the API's word, by the field

	// The CSV is the API's aging by account; a rep's holds their own.
	c := signedInClient(t, svc, testenv.Rep)
	status, csv := c.get("/desk/reports/aging.csv")
	require.Equal(t, http.StatusOK, status, csv)
	lines := strings.Split(strings.TrimSpace(csv), "\r\n")
	require.Equal(t, "account_id,account_name,sales_rep,currency,current,days_1_30,days_31_60,days_61_90,days_over_90,total", lines[0])
	require.Len(t, lines, 2, csv)
	require.Equal(t, fmt.Sprintf("%s,Harbour Mills GmbH,%s,EUR,1000.00,2000.00,3000.00,0.00,4000.00,10000.00", mine, testenv.Rep), lines[1])
}
