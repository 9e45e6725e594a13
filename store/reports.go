package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/money"
)

// The receivables report (GET /reports/receivables). Every figure is an
// aggregate Postgres computes: the report reads no invoice into Go, so it
// costs the same few queries on a hundred invoices or on a hundred
// thousand. README-reports.md defines each figure; the comments here say
// how the SQL follows those definitions.

// Report windows, in calendar days ending on the report's date, both
// included: DSO, activity and decisions look back over PeriodDays, the
// collection effectiveness index over CollectionDays.
const (
	PeriodDays     = 90
	CollectionDays = 30
)

// CustomerEmailKinds are the emails that ask a customer to pay: the
// report's "customer emails", one per email sent, however many invoices
// it lists.
var CustomerEmailKinds = []string{"courtesy_notice", "invoice_reminder", "final_notice"}

// ReportQuery is what a report is asked for: a date, and for a sales rep
// their own accounts only.
type ReportQuery struct {
	// AsOf is the report's calendar date (UTC); its time of day is ignored.
	AsOf time.Time
	// SalesRep limits the report to the accounts of this rep ("" all).
	SalesRep string
}

// ReceivablesReport is the report, one entry per currency: amounts of
// different currencies are never added up.
type ReceivablesReport struct {
	AsOf             string                `json:"as_of"`
	Period           Period                `json:"period"`
	CollectionPeriod Period                `json:"collection_period"`
	Currencies       []CurrencyReceivables `json:"currencies"`
}

// Period is a run of calendar days, both ends included.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CurrencyReceivables is the report of one currency.
type CurrencyReceivables struct {
	Currency             string            `json:"currency"`
	Aging                Aging             `json:"aging"`
	Invoiced             money.Money       `json:"invoiced"`
	DSO                  *float64          `json:"dso"`
	Collection           CollectionFigures `json:"collection"`
	CEI                  *float64          `json:"cei"`
	SalesReps            []RepReceivables  `json:"sales_reps"`
	CreditDecisions      DecisionFigures   `json:"credit_decisions"`
	CustomerEmailsSent   int               `json:"customer_emails_sent"`
	InvoicesPaid         int               `json:"invoices_paid"`
	EmailsPerPaidInvoice *float64          `json:"emails_per_paid_invoice"`
}

// Aging is open balances by calendar days past due.
type Aging struct {
	Current    AgingBucket `json:"current"`
	Days1To30  AgingBucket `json:"days_1_30"`
	Days31To60 AgingBucket `json:"days_31_60"`
	Days61To90 AgingBucket `json:"days_61_90"`
	Over90     AgingBucket `json:"days_over_90"`
	Total      AgingBucket `json:"total"`
}

// AgingBucket is the open balance of Count invoices.
type AgingBucket struct {
	Amount money.Money `json:"amount"`
	Count  int         `json:"count"`
}

// CollectionFigures are the terms of the collection effectiveness index.
type CollectionFigures struct {
	ReceivablesAtStart money.Money `json:"receivables_at_start"`
	Invoiced           money.Money `json:"invoiced"`
	ReceivablesAtEnd   money.Money `json:"receivables_at_end"`
	CurrentAtEnd       money.Money `json:"current_at_end"`
}

// RepReceivables is one sales rep's share of a currency's receivables
// and what was done about them.
type RepReceivables struct {
	SalesRep                 string      `json:"sales_rep"`
	Accounts                 int         `json:"accounts"`
	Open                     money.Money `json:"open"`
	Overdue                  money.Money `json:"overdue"`
	CustomerEmailsSent       int         `json:"customer_emails_sent"`
	EscalationsOpened        int         `json:"escalations_opened"`
	EscalationsAcknowledged  int         `json:"escalations_acknowledged"`
	MedianHoursToAcknowledge *float64    `json:"median_hours_to_acknowledge"`
	HoldsPlaced              int         `json:"holds_placed"`
	AccountsOnHold           int         `json:"accounts_on_hold"`
}

// DecisionFigures count the credit requests decided in the period.
type DecisionFigures struct {
	Count                      int      `json:"count"`
	Automatic                  int      `json:"automatic"`
	AutomaticPercent           *float64 `json:"automatic_percent"`
	MedianHoursToHumanDecision *float64 `json:"median_hours_to_human_decision"`
}

// AccountAging is one account's open balances in one currency, for the
// report's CSV.
type AccountAging struct {
	AccountID, AccountName, SalesRep string
	Currency                         string
	Current, Days1To30, Days31To60   int64
	Days61To90, Over90, Total        int64
}

// reportArgs names the report's dates and instants for its queries:
// as_of, the first days of its two windows, and as instants (UTC) the
// starts of those days and the end of as_of. A payment received at
// 23:59 UTC on as_of counts; one at 00:00 the next day does not.
func reportArgs(q ReportQuery) pgx.NamedArgs {
	asOf := time.Date(q.AsOf.Year(), q.AsOf.Month(), q.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	periodFrom := asOf.AddDate(0, 0, 1-PeriodDays)
	collectionFrom := asOf.AddDate(0, 0, 1-CollectionDays)
	return pgx.NamedArgs{
		"as_of":            asOf.Format(time.DateOnly),
		"period_from":      periodFrom.Format(time.DateOnly),
		"collection_from":  collectionFrom.Format(time.DateOnly),
		"period_start":     periodFrom,
		"collection_start": collectionFrom,
		"end":              asOf.AddDate(0, 0, 1),
		"rep":              q.SalesRep,
		"customer_kinds":   CustomerEmailKinds,
	}
}

// reportScope is the accounts a report covers: all, or one rep's (the
// rep the account has now).
const reportScope = `scope AS (
		SELECT id, name, currency, sales_rep, status, created_at FROM accounts
		WHERE @rep::text = '' OR sales_rep = lower(@rep::text)
	)`

// balances is every invoice of the scope issued by as_of with its
// balance at the end of as_of (at_end) and at the end of the day before
// the collection period (at_start), and how many calendar days past its
// due date it is on as_of (days_late). A balance at a date is the amount
// less the payments received and the credit notes of disputes resolved
// by then, nothing once written off by then. The store keeps each
// invoice's balance equal to its amount less all its payments and credit
// notes (each lowers it in the transaction that records it), so the
// balance at a date is today's balance plus what was settled after that
// date: only the settlements of the last CollectionDays (and any dated
// after as_of) are read, not every payment ever received.
const balances = `settled_after AS (
		SELECT invoice_id, sum(amount) AS after_start, sum(amount) FILTER (WHERE at >= @end) AS after_end
		FROM (
			SELECT invoice_id, amount, received_at AS at FROM payments WHERE received_at >= @collection_start
			UNION ALL
			SELECT invoice_id, credit_note, resolved_at FROM disputes WHERE credit_note > 0 AND resolved_at >= @collection_start
		) s
		GROUP BY invoice_id
	), balances AS (
		SELECT i.account_id, i.currency, s.sales_rep, i.amount, i.issue_date, i.status, i.paid_at,
			CASE WHEN i.issue_date < @collection_from::date AND NOT coalesce(i.written_off_at < @collection_start, false)
				THEN i.balance + coalesce(st.after_start, 0) ELSE 0 END AS at_start,
			CASE WHEN coalesce(i.written_off_at < @end, false) THEN 0 ELSE i.balance + coalesce(st.after_end, 0) END AS at_end,
			@as_of::date - i.due_date AS days_late
		FROM invoices i JOIN scope s ON s.id = i.account_id LEFT JOIN settled_after st ON st.invoice_id = i.id
		WHERE i.issue_date <= @as_of::date
	)`

// agingColumns sums the open balances at the end of as_of by bucket.
const agingColumns = `
	coalesce(sum(at_end) FILTER (WHERE at_end > 0 AND days_late <= 0), 0),
	count(*) FILTER (WHERE at_end > 0 AND days_late <= 0),
	coalesce(sum(at_end) FILTER (WHERE at_end > 0 AND days_late BETWEEN 1 AND 30), 0),
	count(*) FILTER (WHERE at_end > 0 AND days_late BETWEEN 1 AND 30),
	coalesce(sum(at_end) FILTER (WHERE at_end > 0 AND days_late BETWEEN 31 AND 60), 0),
	count(*) FILTER (WHERE at_end > 0 AND days_late BETWEEN 31 AND 60),
	coalesce(sum(at_end) FILTER (WHERE at_end > 0 AND days_late BETWEEN 61 AND 90), 0),
	count(*) FILTER (WHERE at_end > 0 AND days_late BETWEEN 61 AND 90),
	coalesce(sum(at_end) FILTER (WHERE at_end > 0 AND days_late > 90), 0),
	count(*) FILTER (WHERE at_end > 0 AND days_late > 90)`

// Receivables computes the report.
func (s *Store) Receivables(ctx context.Context, q ReportQuery) (ReceivablesReport, error) {
	args := reportArgs(q)
	r := ReceivablesReport{
		AsOf:             args["as_of"].(string),
		Period:           Period{args["period_from"].(string), args["as_of"].(string)},
		CollectionPeriod: Period{args["collection_from"].(string), args["as_of"].(string)},
		Currencies:       []CurrencyReceivables{},
	}
	byCurrency := map[string]*CurrencyReceivables{}
	currency := func(cur string) *CurrencyReceivables {
		if c, ok := byCurrency[cur]; ok {
			return c
		}
		c := newCurrencyReceivables(cur)
		byCurrency[cur] = c
		return c
	}
	err := s.readReport(ctx, func(tx pgx.Tx) error {
		if err := repActivity(ctx, tx, args, func(cur string, rep RepReceivables) {
			c := currency(cur)
			c.SalesReps = append(c.SalesReps, rep)
			c.CustomerEmailsSent += rep.CustomerEmailsSent
		}); err != nil {
			return err
		}
		if err := receivableBalances(ctx, tx, args, currency); err != nil {
			return err
		}
		return creditDecisions(ctx, tx, args, currency)
	})
	if err != nil {
		return r, fmt.Errorf("receivables report: %w", err)
	}
	for _, c := range byCurrency {
		c.finish()
	}
	for _, cur := range slices.Sorted(maps.Keys(byCurrency)) {
		r.Currencies = append(r.Currencies, *byCurrency[cur])
	}
	return r, nil
}

func newCurrencyReceivables(cur string) *CurrencyReceivables {
	zero := money.New(0, cur)
	b := AgingBucket{Amount: zero}
	return &CurrencyReceivables{
		Currency: cur,
		Aging:    Aging{Current: b, Days1To30: b, Days31To60: b, Days61To90: b, Over90: b, Total: b},
		Invoiced: zero,
		Collection: CollectionFigures{ReceivablesAtStart: zero, Invoiced: zero,
			ReceivablesAtEnd: zero, CurrentAtEnd: zero},
		SalesReps: []RepReceivables{},
	}
}

// finish derives the ratios from the sums; a ratio over zero is null.
func (c *CurrencyReceivables) finish() {
	c.DSO = ratio(float64(c.Aging.Total.Amount.Minor)*PeriodDays, float64(c.Invoiced.Minor))
	col := c.Collection
	collected := float64(col.ReceivablesAtStart.Minor + col.Invoiced.Minor - col.ReceivablesAtEnd.Minor)
	collectible := float64(col.ReceivablesAtStart.Minor + col.Invoiced.Minor - col.CurrentAtEnd.Minor)
	c.CEI = ratio(collected*100, collectible)
	c.EmailsPerPaidInvoice = ratio(float64(c.CustomerEmailsSent), float64(c.InvoicesPaid))
	d := &c.CreditDecisions
	d.AutomaticPercent = ratio(float64(d.Automatic)*100, float64(d.Count))
}

// ratio is n ÷ d to two decimals, or nil when d is zero.
func ratio(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	return round2(n / d)
}

func round2(x float64) *float64 {
	r := math.Round(x*100) / 100
	return &r
}

// receivableBalances adds the aging, DSO's and CEI's sums, the invoices
// paid, and each rep's open and overdue amounts, grouped by currency and
// by currency and rep in one pass.
func receivableBalances(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs, currency func(string) *CurrencyReceivables) error {
	rows, err := tx.Query(ctx, `WITH `+reportScope+`, `+balances+`
		SELECT currency, grouping(sales_rep) = 1, coalesce(sales_rep, ''), `+agingColumns+`,
			coalesce(sum(at_end) FILTER (WHERE days_late > 0), 0),
			coalesce(sum(at_start), 0),
			coalesce(sum(amount) FILTER (WHERE issue_date >= @period_from::date), 0),
			coalesce(sum(amount) FILTER (WHERE issue_date >= @collection_from::date), 0),
			count(*) FILTER (WHERE status = 'paid' AND paid_at >= @period_start AND paid_at < @end)
		FROM balances GROUP BY GROUPING SETS ((currency), (currency, sales_rep))`, args)
	if err != nil {
		return fmt.Errorf("balances: %w", err)
	}
	var cur, rep string
	var total bool
	var b [10]int64
	var overdue, atStart, invoicedPeriod, invoicedCollection int64
	var paid int
	_, err = pgx.ForEachRow(rows, []any{&cur, &total, &rep, &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9],
		&overdue, &atStart, &invoicedPeriod, &invoicedCollection, &paid}, func() error {
		a := aging(cur, b)
		c := currency(cur)
		if !total {
			// repActivity listed every rep with an account in the currency.
			if k := slices.IndexFunc(c.SalesReps, func(r RepReceivables) bool { return r.SalesRep == rep }); k >= 0 {
				c.SalesReps[k].Open, c.SalesReps[k].Overdue = a.Total.Amount, money.New(overdue, cur)
			}
			return nil
		}
		c.Aging = a
		c.Invoiced = money.New(invoicedPeriod, cur)
		c.Collection = CollectionFigures{
			ReceivablesAtStart: money.New(atStart, cur),
			Invoiced:           money.New(invoicedCollection, cur),
			ReceivablesAtEnd:   a.Total.Amount,
			CurrentAtEnd:       a.Current.Amount,
		}
		c.InvoicesPaid = paid
		return nil
	})
	if err != nil {
		return fmt.Errorf("balances: %w", err)
	}
	return nil
}

// aging reads agingColumns: amount and count of each bucket.
func aging(cur string, b [10]int64) Aging {
	bucket := func(k int) AgingBucket { return AgingBucket{Amount: money.New(b[2*k], cur), Count: int(b[2*k+1])} }
	a := Aging{Current: bucket(0), Days1To30: bucket(1), Days31To60: bucket(2), Days61To90: bucket(3), Over90: bucket(4)}
	a.Total = AgingBucket{Amount: money.New(b[0]+b[2]+b[4]+b[6]+b[8], cur), Count: int(b[1] + b[3] + b[5] + b[7] + b[9])}
	return a
}

// repActivity reads, per currency and sales rep with an account in it:
// their accounts, the customer emails sent, the escalations opened in the
// period (and of those, acknowledged by as_of, with the median time it
// took), the holds placed in the period and the accounts on hold at the
// end of as_of.
func repActivity(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs, each func(cur string, rep RepReceivables)) error {
	rows, err := tx.Query(ctx, `WITH `+reportScope+`, reps AS (
			SELECT currency, sales_rep, count(*) FILTER (WHERE status <> 'closed' AND created_at < @end) AS accounts
			FROM scope GROUP BY currency, sales_rep
		), sent AS (
			SELECT s.currency, s.sales_rep, count(*) AS emails
			FROM emails e JOIN scope s ON s.id = e.account_id
			WHERE e.kind = ANY (@customer_kinds) AND e.status = 'sent' AND e.sent_at >= @period_start AND e.sent_at < @end
			GROUP BY s.currency, s.sales_rep
		), escalated AS (
			SELECT s.currency, s.sales_rep, count(*) AS opened,
				count(*) FILTER (WHERE e.acknowledged_at < @end) AS acknowledged,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.acknowledged_at - e.created_at) / 3600)
					FILTER (WHERE e.acknowledged_at < @end) AS median_hours
			FROM escalations e JOIN scope s ON s.id = e.account_id
			WHERE e.created_at >= @period_start AND e.created_at < @end
			GROUP BY s.currency, s.sales_rep
		), held AS (
			SELECT s.currency, s.sales_rep, count(*) FILTER (WHERE h.placed_at >= @period_start) AS placed,
				count(DISTINCT h.account_id) FILTER (WHERE h.released_at IS NULL OR h.released_at >= @end) AS on_hold
			FROM holds h JOIN scope s ON s.id = h.account_id
			WHERE h.placed_at < @end
			GROUP BY s.currency, s.sales_rep
		)
		SELECT currency, sales_rep, accounts, coalesce(emails, 0), coalesce(opened, 0), coalesce(acknowledged, 0),
			median_hours, coalesce(placed, 0), coalesce(on_hold, 0)
		FROM reps LEFT JOIN sent USING (currency, sales_rep) LEFT JOIN escalated USING (currency, sales_rep)
			LEFT JOIN held USING (currency, sales_rep)
		ORDER BY currency, sales_rep COLLATE "C"`, args)
	if err != nil {
		return fmt.Errorf("activity: %w", err)
	}
	var cur string
	var r RepReceivables
	var median *float64
	_, err = pgx.ForEachRow(rows, []any{&cur, &r.SalesRep, &r.Accounts, &r.CustomerEmailsSent, &r.EscalationsOpened,
		&r.EscalationsAcknowledged, &median, &r.HoldsPlaced, &r.AccountsOnHold}, func() error {
		rep := r
		rep.Open, rep.Overdue = money.New(0, cur), money.New(0, cur)
		if median != nil {
			rep.MedianHoursToAcknowledge = round2(*median)
		}
		each(cur, rep)
		return nil
	})
	if err != nil {
		return fmt.Errorf("activity: %w", err)
	}
	return nil
}

// creditDecisions counts the requests on the scope's accounts decided in
// the period (withdrawn and expired ones were not decided), those the
// scorecard decided, and the median time from a request to a person's
// decision.
func creditDecisions(ctx context.Context, tx pgx.Tx, args pgx.NamedArgs, currency func(string) *CurrencyReceivables) error {
	rows, err := tx.Query(ctx, `WITH `+reportScope+`
		SELECT r.currency, count(*), count(*) FILTER (WHERE d.decided_by = 'creditflow'),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.decided_at - r.created_at) / 3600)
				FILTER (WHERE d.decided_by <> 'creditflow')
		FROM decisions d JOIN credit_requests r ON r.id = d.request_id JOIN scope s ON s.id = r.account_id
		WHERE d.event = 'decided' AND d.decided_at >= @period_start AND d.decided_at < @end
		GROUP BY r.currency`, args)
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	var cur string
	var d DecisionFigures
	var median *float64
	_, err = pgx.ForEachRow(rows, []any{&cur, &d.Count, &d.Automatic, &median}, func() error {
		c := currency(cur)
		c.CreditDecisions = DecisionFigures{Count: d.Count, Automatic: d.Automatic}
		if median != nil {
			c.CreditDecisions.MedianHoursToHumanDecision = round2(*median)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("decisions: %w", err)
	}
	return nil
}

// AgingByAccount calls each with every account of the scope that has an
// open balance at the end of as_of, by currency, account name and id.
func (s *Store) AgingByAccount(ctx context.Context, q ReportQuery, each func(AccountAging) error) error {
	err := s.readReport(ctx, func(tx pgx.Tx) error {
		// Only the invoices still owed are grouped, and only the accounts
		// that owe are sorted by name.
		rows, err := tx.Query(ctx, `WITH `+reportScope+`, `+balances+`, owed AS (
				SELECT account_id, currency, `+agingColumns+`
				FROM balances WHERE at_end > 0
				GROUP BY account_id, currency
			)
			SELECT a.name, a.sales_rep, owed.* FROM owed JOIN scope a ON a.id = owed.account_id
			ORDER BY owed.currency, a.name, a.id`, reportArgs(q))
		if err != nil {
			return err
		}
		var a AccountAging
		var b [10]int64
		_, err = pgx.ForEachRow(rows, []any{&a.AccountName, &a.SalesRep, &a.AccountID, &a.Currency,
			&b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8], &b[9]}, func() error {
			a.Current, a.Days1To30, a.Days31To60, a.Days61To90, a.Over90 = b[0], b[2], b[4], b[6], b[8]
			a.Total = b[0] + b[2] + b[4] + b[6] + b[8]
			return each(a)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("aging by account: %w", err)
	}
	return nil
}

// readReport runs a report's queries in one read-only snapshot, so that
// its figures describe the same moment, without JIT compilation: on these
// aggregates it costs more than it saves (on 100,000 invoices the planner
// chose it for the aging by account and spent 0.6 s compiling, longer
// than the query then ran).
func (s *Store) readReport(ctx context.Context, queries func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		return queries(tx)
	})
}
