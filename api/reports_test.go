package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// The receivables report is checked against figures computed by hand on
// a small ledger with fixed dates, reported as of 2025-06-30:
//
//	period (DSO, activity, decisions): 2025-04-02 … 2025-06-30 (90 days)
//	collection period (CEI):           2025-06-01 … 2025-06-30 (30 days)
//	receivables "at the start":        at the end of 2025-05-31
//
// Accounts (EUR unless said):
//
//	alpha  "Alpha, Inc."     testenv.Rep       active
//	beta   `Beta "B" GmbH`   testenv.Rep       on hold
//	closed "Closed Co"       testenv.Rep       closed, nothing owed
//	gamma  "Gamma"           testenv.OtherRep  active
//	delta  "=Delta+1" (USD)  testenv.OtherRep  active
//
// Invoices, with their balance at the end of 2025-05-31 and of 2025-06-30
// and their days past due on 2025-06-30:
//
//	I1  alpha  1000.00 issued 06-20 due 07-20                    start    0  end 1000  current
//	I2  alpha  2000.00 issued 05-01 due 05-31, 500 paid 06-10    start 2000  end 1500  30 days
//	I3  alpha  3000.00 issued 03-01 due 03-31, paid 06-15        start 3000  end    0
//	I11 alpha   250.00 issued 01-01 due 01-31, paid 02-10        start    0  end    0
//	I4  beta   4000.00 issued 02-01 due 03-03                    start 4000  end 4000  119 days
//	I5  beta    500.00 issued 04-10 due 04-25, credit note 200
//	                   on a dispute resolved 06-05               start  500  end  300  66 days
//	I6  beta    800.00 issued 03-15 due 04-14, written off 06-20 start  800  end    0
//	I7  beta    700.00 issued 07-05 (after as_of)                not counted at all
//	I8  gamma   600.00 issued 05-10 due 05-20                    start  600  end  600  41 days
//	I9  gamma   900.00 issued 06-05 due 06-25, paid 07-02        start    0  end  900  5 days
//	I10 delta   100.00 USD issued 06-01 due 07-01                start    0  end  100  current
const reportAsOf = "2025-06-30"

func seedReceivables(t *testing.T, svc *testenv.Service) {
	t.Helper()
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := svc.Store.Pool.Exec(ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	exec(`INSERT INTO accounts (id, name, billing_email, status, currency, sales_rep, created_at) VALUES
		('acc_alpha', 'Alpha, Inc.', 'ap@alpha.example', 'active', 'EUR', $1, '2025-01-01'),
		('acc_beta', 'Beta "B" GmbH', 'ap@beta.example', 'on_hold', 'EUR', $1, '2025-01-02'),
		('acc_closed', 'Closed Co', 'ap@closed.example', 'closed', 'EUR', $1, '2025-01-03'),
		('acc_gamma', 'Gamma', 'ap@gamma.example', 'active', 'EUR', $2, '2025-01-04'),
		('acc_delta', '=Delta+1', 'ap@delta.example', 'active', 'USD', $2, '2025-01-05')`, testenv.Rep, testenv.OtherRep)
	// Balances and statuses as the store leaves them today; created_at
	// orders the invoice list (I1 first … I11 last).
	exec(`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status, paid_at, written_off_at, created_at) VALUES
		('inv_01', 'acc_alpha', 'I1', 'EUR', 100000, 100000, '2025-06-20', '2025-07-20', 'open', NULL, NULL, '2025-06-20T08:00:01Z'),
		('inv_02', 'acc_alpha', 'I2', 'EUR', 200000, 150000, '2025-05-01', '2025-05-31', 'open', NULL, NULL, '2025-06-20T08:00:02Z'),
		('inv_03', 'acc_alpha', 'I3', 'EUR', 300000, 0, '2025-03-01', '2025-03-31', 'paid', '2025-06-15T10:00:00Z', NULL, '2025-06-20T08:00:03Z'),
		('inv_04', 'acc_beta', 'I4', 'EUR', 400000, 400000, '2025-02-01', '2025-03-03', 'open', NULL, NULL, '2025-06-20T08:00:04Z'),
		('inv_05', 'acc_beta', 'I5', 'EUR', 50000, 30000, '2025-04-10', '2025-04-25', 'open', NULL, NULL, '2025-06-20T08:00:05Z'),
		('inv_06', 'acc_beta', 'I6', 'EUR', 80000, 80000, '2025-03-15', '2025-04-14', 'written_off', NULL, '2025-06-20T12:00:00Z', '2025-06-20T08:00:06Z'),
		('inv_07', 'acc_beta', 'I7', 'EUR', 70000, 70000, '2025-07-05', '2025-08-04', 'open', NULL, NULL, '2025-06-20T08:00:07Z'),
		('inv_08', 'acc_gamma', 'I8', 'EUR', 60000, 60000, '2025-05-10', '2025-05-20', 'disputed', NULL, NULL, '2025-06-20T08:00:08Z'),
		('inv_09', 'acc_gamma', 'I9', 'EUR', 90000, 0, '2025-06-05', '2025-06-25', 'paid', '2025-07-02T09:00:00Z', NULL, '2025-06-20T08:00:09Z'),
		('inv_10', 'acc_delta', 'I10', 'USD', 10000, 10000, '2025-06-01', '2025-07-01', 'open', NULL, NULL, '2025-06-20T08:00:10Z'),
		('inv_11', 'acc_alpha', 'I11', 'EUR', 25000, 0, '2025-01-01', '2025-01-31', 'paid', '2025-02-10T09:00:00Z', NULL, '2025-06-20T08:00:11Z')`)
	exec(`INSERT INTO payments (id, invoice_id, amount, received_at, recorded_by) VALUES
		('pay_02', 'inv_02', 50000, '2025-06-10T10:00:00Z', 'analyst@example.com'),
		('pay_03', 'inv_03', 300000, '2025-06-15T10:00:00Z', 'analyst@example.com'),
		('pay_09', 'inv_09', 90000, '2025-07-02T09:00:00Z', 'analyst@example.com'),
		('pay_11', 'inv_11', 25000, '2025-02-10T09:00:00Z', 'analyst@example.com')`)
	exec(`INSERT INTO disputes (id, invoice_id, reason, department, owner_email, status, credit_note, opened_by, created_at, resolved_at) VALUES
		('dsp_05', 'inv_05', 'two pallets damaged', 'logistics', 'analyst@example.com', 'resolved', 20000, 'analyst@example.com',
			'2025-05-20T10:00:00Z', '2025-06-05T10:00:00Z'),
		('dsp_08', 'inv_08', 'price', 'sales', 'analyst@example.com', 'open', NULL, 'analyst@example.com', '2025-06-01T10:00:00Z', NULL)`)
	// Customer emails: only courtesy notices, reminders and final notices
	// that SendGrid took, sent in the period.
	exec(`INSERT INTO emails (email_key, kind, recipients, subject, body_text, body_html, account_id, status, sent_at) VALUES
		('e1', 'invoice_reminder', '{ap@alpha.example}', 's', 't', 'h', 'acc_alpha', 'sent', '2025-06-01T09:00:00Z'),
		('e2', 'courtesy_notice', '{ap@alpha.example}', 's', 't', 'h', 'acc_alpha', 'sent', '2025-05-15T09:00:00Z'),
		('e3', 'final_notice', '{ap@alpha.example}', 's', 't', 'h', 'acc_alpha', 'logged', '2025-06-10T09:00:00Z'),
		('e4', 'invoice_reminder', '{ap@alpha.example}', 's', 't', 'h', 'acc_alpha', 'sent', '2025-03-01T09:00:00Z'),
		('e5', 'sales_escalation', '{rep@example.com}', 's', 't', 'h', 'acc_alpha', 'sent', '2025-06-02T09:00:00Z'),
		('e6', 'invoice_reminder', '{ap@alpha.example}', 's', 't', 'h', 'acc_alpha', 'sent', '2025-07-01T09:00:00Z'),
		('e7', 'final_notice', '{ap@beta.example}', 's', 't', 'h', 'acc_beta', 'sent', '2025-06-20T09:00:00Z'),
		('e8', 'invoice_reminder', '{ap@gamma.example}', 's', 't', 'h', 'acc_gamma', 'sent', '2025-06-26T09:00:00Z'),
		('e9', 'courtesy_notice', '{ap@gamma.example}', 's', 't', 'h', 'acc_gamma', 'rejected', NULL)`)
	exec(`INSERT INTO escalations (id, account_id, sales_rep, status, created_at, acknowledged_at) VALUES
		('esc_1', 'acc_alpha', $1, 'acknowledged', '2025-06-01T09:00:00Z', '2025-06-01T15:00:00Z'),
		('esc_2', 'acc_beta', $1, 'acknowledged', '2025-06-10T00:00:00Z', '2025-06-12T00:00:00Z'),
		('esc_3', 'acc_beta', $1, 'open', '2025-06-20T00:00:00Z', NULL),
		('esc_4', 'acc_alpha', $1, 'acknowledged', '2025-04-20T00:00:00Z', '2025-04-20T10:00:00Z'),
		('esc_5', 'acc_alpha', $1, 'acknowledged', '2025-03-01T00:00:00Z', '2025-03-01T01:00:00Z'),
		('esc_6', 'acc_beta', $1, 'acknowledged', '2025-06-29T12:00:00Z', '2025-07-01T00:00:00Z'),
		('esc_7', 'acc_gamma', $2, 'acknowledged', '2025-05-05T00:00:00Z', '2025-05-06T12:00:00Z'),
		('esc_8', 'acc_gamma', $2, 'acknowledged', '2025-05-10T00:00:00Z', '2025-05-10T03:00:00Z'),
		('esc_9', 'acc_gamma', $2, 'overdue', '2025-06-28T00:00:00Z', NULL)`, testenv.Rep, testenv.OtherRep)
	exec(`INSERT INTO holds (hold_key, account_id, cause, placed_at, released_at) VALUES
		('h1', 'acc_beta', 'invoice', '2025-05-01T00:00:00Z', NULL),
		('h2', 'acc_beta', 'exposure', '2025-06-10T00:00:00Z', '2025-06-15T00:00:00Z'),
		('h3', 'acc_alpha', 'invoice', '2025-03-01T00:00:00Z', '2025-07-05T00:00:00Z'),
		('h4', 'acc_gamma', 'invoice', '2025-07-02T00:00:00Z', NULL)`)
	exec(`INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, created_at) VALUES
		('cr_1', 'limit_increase', 'acc_alpha', $1, 1000000, 'EUR', 'approved', '2025-06-01T00:00:00Z'),
		('cr_2', 'limit_increase', 'acc_beta', $1, 1000000, 'EUR', 'declined', '2025-06-02T08:00:00Z'),
		('cr_3', 'limit_increase', 'acc_gamma', $2, 1000000, 'EUR', 'approved', '2025-05-01T00:00:00Z'),
		('cr_4', 'limit_increase', 'acc_alpha', $1, 1000000, 'EUR', 'approved', '2025-04-10T00:00:00Z'),
		('cr_5', 'limit_increase', 'acc_beta', $1, 1000000, 'EUR', 'approved', '2025-03-01T00:00:00Z'),
		('cr_6', 'limit_increase', 'acc_gamma', $2, 1000000, 'EUR', 'withdrawn', '2025-06-09T00:00:00Z'),
		('cr_7', 'limit_increase', 'acc_delta', $2, 1000000, 'USD', 'approved', '2025-06-15T00:00:00Z')`, testenv.Rep, testenv.OtherRep)
	exec(`INSERT INTO decisions (request_id, event, outcome, decided_by, decided_at) VALUES
		('cr_1', 'decided', 'approve', 'creditflow', '2025-06-01T00:00:05Z'),
		('cr_2', 'decided', 'decline', $1, '2025-06-03T08:00:00Z'),
		('cr_3', 'decided', 'approve', $1, '2025-05-01T06:00:00Z'),
		('cr_4', 'decided', 'approve', $2, '2025-04-13T12:00:00Z'),
		('cr_5', 'decided', 'approve', $1, '2025-03-02T00:00:00Z'),
		('cr_6', 'withdrawn', '', $3, '2025-06-10T00:00:00Z'),
		('cr_7', 'decided', 'approve', 'creditflow', '2025-06-15T00:00:01Z')`, testenv.Analyst, testenv.CreditManager, testenv.OtherRep)
}

func eur(amount string) money.Money { return mustMoney(amount, "EUR") }
func usd(amount string) money.Money { return mustMoney(amount, "USD") }

func mustMoney(amount, cur string) money.Money {
	m, err := money.Parse(amount, cur)
	if err != nil {
		panic(err)
	}
	return m
}

func num(x float64) *float64 { return &x }

func bucket(m money.Money, count int) store.AgingBucket {
	return store.AgingBucket{Amount: m, Count: count}
}

func receivablesReport(t *testing.T, svc *testenv.Service, user, query string) store.ReceivablesReport {
	t.Helper()
	resp := svc.Call(t, http.MethodGet, "/api/v1/reports/receivables"+query, user, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var r store.ReceivablesReport
	resp.JSON(t, &r)
	return r
}

func TestReceivablesReportMatchesFiguresComputedByHand(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	seedReceivables(t, svc)

	want := store.ReceivablesReport{
		AsOf:             reportAsOf,
		Period:           store.Period{From: "2025-04-02", To: reportAsOf},
		CollectionPeriod: store.Period{From: "2025-06-01", To: reportAsOf},
		Currencies: []store.CurrencyReceivables{{
			Currency: "EUR",
			// Open at the end of 06-30, by days past due:
			// current I1 1000; 1–30 I2 1500 (30 days) + I9 900 (5 days;
			// paid only on 07-02); 31–60 I8 600 (41, disputed); 61–90 I5
			// 300 (66); 90+ I4 4000 (119). I3 paid, I6 written off, I7 not
			// yet issued, I11 paid long ago.
			Aging: store.Aging{
				Current:    bucket(eur("1000.00"), 1),
				Days1To30:  bucket(eur("2400.00"), 2),
				Days31To60: bucket(eur("600.00"), 1),
				Days61To90: bucket(eur("300.00"), 1),
				Over90:     bucket(eur("4000.00"), 1),
				// 1000 + 2400 + 600 + 300 + 4000 = 8300, 6 invoices
				Total: bucket(eur("8300.00"), 6),
			},
			// Issued 04-02 … 06-30: I1 1000 + I2 2000 + I5 500 + I8 600 + I9 900.
			Invoiced: eur("5000.00"),
			// 8300 ÷ 5000 × 90 = 149.4
			DSO: num(149.4),
			Collection: store.CollectionFigures{
				// At the end of 05-31: I2 2000 + I3 3000 + I4 4000 + I5 500 + I6 800 + I8 600.
				ReceivablesAtStart: eur("10900.00"),
				// Issued 06-01 … 06-30: I1 1000 + I9 900.
				Invoiced:         eur("1900.00"),
				ReceivablesAtEnd: eur("8300.00"),
				CurrentAtEnd:     eur("1000.00"),
			},
			// (10900 + 1900 − 8300) ÷ (10900 + 1900 − 1000) × 100
			//   = 4500 ÷ 11800 × 100 = 38.1355… → 38.14
			// (the 4500 collected: I2's 500, I3's 3000, I5's credit note
			// of 200 and I6's write-off of 800)
			CEI: num(38.14),
			// By email: "rep2@…" before "rep@…".
			SalesReps: []store.RepReceivables{{
				SalesRep: testenv.OtherRep,
				Accounts: 1,
				// I8 600 + I9 900, both past due.
				Open:               eur("1500.00"),
				Overdue:            eur("1500.00"),
				CustomerEmailsSent: 1, // e8; e9 was rejected
				// esc_7 after 36 h, esc_8 after 3 h; esc_9 waits.
				// Median of 3 and 36 = 19.5.
				EscalationsOpened:        3,
				EscalationsAcknowledged:  2,
				MedianHoursToAcknowledge: num(19.5),
				// h4 is placed after as_of.
				HoldsPlaced:    0,
				AccountsOnHold: 0,
			}, {
				SalesRep: testenv.Rep,
				// alpha and beta; closed is closed.
				Accounts: 2,
				// I1 1000 + I2 1500 + I4 4000 + I5 300; overdue without I1.
				Open:    eur("6800.00"),
				Overdue: eur("5800.00"),
				// e1 (alpha, 06-01), e2 (alpha, 05-15), e7 (beta, 06-20);
				// not e3 (logged, not sent), e4 (before the period), e5
				// (to the rep), e6 (after as_of).
				CustomerEmailsSent: 3,
				// Opened 04-02 … 06-30: esc_1, 2, 3, 4, 6 (esc_5 before).
				// Acknowledged by the end of 06-30: esc_1 after 6 h, esc_2
				// after 48 h, esc_4 after 10 h (esc_6 only on 07-01):
				// median of 6, 10, 48 = 10.
				EscalationsOpened:        5,
				EscalationsAcknowledged:  3,
				MedianHoursToAcknowledge: num(10),
				// Placed in the period: h1 (05-01), h2 (06-10). In force
				// at the end of 06-30: h1 (beta), h3 (alpha, released
				// only on 07-05): 2 accounts.
				HoldsPlaced:    2,
				AccountsOnHold: 2,
			}},
			// Decided 04-02 … 06-30: cr_1 (scorecard), cr_2 after 24 h,
			// cr_3 after 6 h, cr_4 after 84 h. Not cr_5 (before), cr_6
			// (withdrawn). 1 ÷ 4 automatic = 25 %; median of 6, 24, 84 = 24.
			CreditDecisions: store.DecisionFigures{Count: 4, Automatic: 1,
				AutomaticPercent: num(25), MedianHoursToHumanDecision: num(24)},
			// e1 + e2 + e7 + e8 sent; I3 paid in the period (I9 on
			// 07-02, I11 in February): 4 ÷ 1.
			CustomerEmailsSent:   4,
			InvoicesPaid:         1,
			EmailsPerPaidInvoice: num(4),
		}, {
			Currency: "USD",
			Aging: store.Aging{
				Current:    bucket(usd("100.00"), 1),
				Days1To30:  bucket(usd("0.00"), 0),
				Days31To60: bucket(usd("0.00"), 0),
				Days61To90: bucket(usd("0.00"), 0),
				Over90:     bucket(usd("0.00"), 0),
				Total:      bucket(usd("100.00"), 1),
			},
			Invoiced: usd("100.00"),
			DSO:      num(90), // 100 ÷ 100 × 90
			Collection: store.CollectionFigures{
				// I10 is issued on 06-01, inside the window.
				ReceivablesAtStart: usd("0.00"),
				Invoiced:           usd("100.00"),
				ReceivablesAtEnd:   usd("100.00"),
				CurrentAtEnd:       usd("100.00"),
			},
			// (0 + 100 − 100) ÷ (0 + 100 − 100): nothing was collectible.
			CEI: nil,
			SalesReps: []store.RepReceivables{{
				SalesRep: testenv.OtherRep, Accounts: 1, Open: usd("100.00"), Overdue: usd("0.00"),
			}},
			// cr_7, by the scorecard: no human decision to time.
			CreditDecisions:      store.DecisionFigures{Count: 1, Automatic: 1, AutomaticPercent: num(100)},
			EmailsPerPaidInvoice: nil, // nothing paid
		}},
	}
	for _, user := range []string{testenv.Admin, testenv.Analyst, testenv.CreditManager} {
		require.Equal(t, want, receivablesReport(t, svc, user, "?as_of="+reportAsOf), user)
	}

	// A rep's report is computed over their own accounts only: alpha and
	// beta, in EUR.
	mine := receivablesReport(t, svc, testenv.Rep, "?as_of="+reportAsOf)
	require.Equal(t, store.ReceivablesReport{
		AsOf: reportAsOf, Period: want.Period, CollectionPeriod: want.CollectionPeriod,
		Currencies: []store.CurrencyReceivables{{
			Currency: "EUR",
			Aging: store.Aging{
				Current:    bucket(eur("1000.00"), 1), // I1
				Days1To30:  bucket(eur("1500.00"), 1), // I2
				Days31To60: bucket(eur("0.00"), 0),
				Days61To90: bucket(eur("300.00"), 1),  // I5
				Over90:     bucket(eur("4000.00"), 1), // I4
				Total:      bucket(eur("6800.00"), 4),
			},
			// I1 1000 + I2 2000 + I5 500; 6800 ÷ 3500 × 90 = 174.857… → 174.86
			Invoiced: eur("3500.00"),
			DSO:      num(174.86),
			Collection: store.CollectionFigures{
				// I2 2000 + I3 3000 + I4 4000 + I5 500 + I6 800
				ReceivablesAtStart: eur("10300.00"),
				Invoiced:           eur("1000.00"), // I1
				ReceivablesAtEnd:   eur("6800.00"),
				CurrentAtEnd:       eur("1000.00"),
			},
			// (10300 + 1000 − 6800) ÷ (10300 + 1000 − 1000) × 100
			//   = 4500 ÷ 10300 × 100 = 43.689… → 43.69
			CEI:       num(43.69),
			SalesReps: want.Currencies[0].SalesReps[1:],
			// cr_1 (scorecard), cr_2 after 24 h, cr_4 after 84 h:
			// 1 ÷ 3 = 33.33 %; median of 24 and 84 = 54.
			CreditDecisions: store.DecisionFigures{Count: 3, Automatic: 1,
				AutomaticPercent: num(33.33), MedianHoursToHumanDecision: num(54)},
			// e1 + e2 + e7 ÷ I3
			CustomerEmailsSent: 3, InvoicesPaid: 1, EmailsPerPaidInvoice: num(3),
		}},
	}, mine)
}

func TestReceivablesReportAsCSVIsTheAgingByAccount(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	seedReceivables(t, svc)

	csvOf := func(user string) (string, [][]string) {
		resp := svc.Call(t, http.MethodGet, "/api/v1/reports/receivables?as_of="+reportAsOf, user, nil,
			"Accept", "application/json;q=0.5, text/csv")
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		require.Equal(t, "text/csv", resp.Header.Get("Content-Type"))
		records, err := csv.NewReader(strings.NewReader(string(resp.Body))).ReadAll()
		require.NoError(t, err)
		return string(resp.Body), records
	}
	raw, records := csvOf(testenv.Admin)
	header := []string{"account_id", "account_name", "sales_rep", "currency",
		"current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total"}
	require.Equal(t, [][]string{
		header,
		// By currency, then name; only accounts with an open balance.
		{"acc_alpha", "Alpha, Inc.", testenv.Rep, "EUR", "1000.00", "1500.00", "0.00", "0.00", "0.00", "2500.00"},
		{"acc_beta", `Beta "B" GmbH`, testenv.Rep, "EUR", "0.00", "0.00", "0.00", "300.00", "4000.00", "4300.00"},
		{"acc_gamma", "Gamma", testenv.OtherRep, "EUR", "0.00", "900.00", "600.00", "0.00", "0.00", "1500.00"},
		// A name a spreadsheet would run as a formula is kept as text.
		{"acc_delta", "'=Delta+1", testenv.OtherRep, "USD", "100.00", "0.00", "0.00", "0.00", "0.00", "100.00"},
	}, records)
	// RFC 4180: CRLF line ends; a field with a comma or a quote is quoted,
	// its quotes doubled.
	require.Equal(t, strings.Join(header, ",")+"\r\n", raw[:strings.Index(raw, "\n")+1])
	require.Contains(t, raw, "\r\nacc_alpha,\"Alpha, Inc.\",")
	require.Contains(t, raw, "\r\nacc_beta,\"Beta \"\"B\"\" GmbH\",")
	require.True(t, strings.HasSuffix(raw, "100.00\r\n"))

	_, records = csvOf(testenv.Rep)
	require.Equal(t, [][]string{header, records[1], records[2]}, records, "a rep's CSV lists their own accounts")
	require.Equal(t, "acc_alpha", records[1][0])
	require.Equal(t, "acc_beta", records[2][0])

	// Without text/csv among what the caller accepts, JSON.
	resp := svc.Call(t, http.MethodGet, "/api/v1/reports/receivables?as_of="+reportAsOf, testenv.Admin, nil, "Accept", "text/csv;q=0, application/json")
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
}

func TestReceivablesReportRefusesABadAsOf(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	for _, asOf := range []string{"yesterday", "2025-02-30", "2025-6-30", "0999-01-01", "3000-01-01", "2025-06-30T00:00:00Z"} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodGet, "/api/v1/reports/receivables?as_of="+asOf, testenv.Admin, nil),
			http.StatusBadRequest, asOf)
		require.Equal(t, []string{"as_of"}, fieldsOf(p), asOf)
	}

	// as_of defaults to today; with nothing recorded, no currency.
	r := receivablesReport(t, svc, testenv.Analyst, "")
	require.Empty(t, r.Currencies)
	require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r.AsOf)
}
