package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// TestAPIKilledMidImport kills `creditflow api` (-9) while it imports:
// whatever it had started, every invoice it wrote has its workflow, the
// workflows it started write their rows, and the import sent again
// creates the rest and finds the others.
func TestAPIKilledMidImport(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc)
	n := 400
	if long {
		n = 2000
	}
	var lines []map[string]any
	for k := range n {
		lines = append(lines, map[string]any{"account_id": account, "number": fmt.Sprintf("ERP-%05d", k),
			"amount": map[string]any{"amount": "100.00", "currency": "EUR"}, "issue_date": time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)})
	}
	api := svc.StartAPIProcess(t)
	done := make(chan error, 1)
	go func() {
		_, err := api.Try(http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
		done <- err
	}()
	// Kill it as soon as its first workflows run: it is still starting the
	// others, and has written none of its rows in bulk.
	ctx := context.Background()
	testenv.Eventually(t, 30*time.Second, "the import to be under way", func() bool {
		var planned int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE day_zero IS NOT NULL`).Scan(&planned))
		return planned > 0
	})
	api.Kill(t)
	require.True(t, api.Killed(t))
	require.Error(t, <-done, "killed before it answered")
	var before int
	require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices`).Scan(&before))
	t.Logf("killed with %d of %d invoices written (by their workflows)", before, n)

	// Sent again, the import creates the rest and finds the others.
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	report := resp.Map(t)
	require.EqualValues(t, 0, report["errors"], string(resp.Body))
	require.EqualValues(t, n, report["created"].(float64)+report["duplicates"].(float64))
	testenv.Eventually(t, 2*time.Minute, "every invoice written and planned by its workflow", func() bool {
		var planned int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE day_zero IS NOT NULL`).Scan(&planned))
		return planned == n
	})
	audit(t, svc, "API killed mid-import")
}

// TestTemporalFrozenThenRestarted freezes the Temporal server (SIGSTOP)
// and then kills and restarts it from its file: meanwhile the API answers
// 503 with Retry-After within its deadline; afterwards every request and
// invoice goes on, nothing twice.
func TestTemporalFrozenThenRestarted(t *testing.T) {
	dev := testenv.StartDevServer(t)
	svc := testenv.StartService(t, testenv.Options{DevServer: dev, RequestTimeout: 2 * time.Second})
	importInvoices(t, svc, 20, 1, "BEFORE")
	var pending []credit.CreditRequest
	for k := range 3 {
		resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, preApproval(k, "50000.00"))
		require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))
		var r credit.CreditRequest
		resp.JSON(t, &r)
		pending = append(pending, r)
	}
	for _, r := range pending {
		testenv.Eventually(t, 20*time.Second, "scoring", func() bool {
			svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Analyst, nil).JSON(t, &r)
			return r.Status == credit.StatusPendingReview
		})
	}

	freeze := pick(8*time.Second, 20*time.Second)
	dev.Freeze(t)
	frozenAt := time.Now()
	decide := func(r credit.CreditRequest) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
			"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"}},
			"Idempotency-Key", "decide-"+r.ID)
	}
	start := time.Now()
	resp := decide(pending[0])
	require.Equal(t, http.StatusServiceUnavailable, resp.Status, string(resp.Body))
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.Less(t, time.Since(start), 5*time.Second, "503 within the deadline, not a hang")
	require.Equal(t, http.StatusServiceUnavailable, svc.Call(t, http.MethodGet, "/readyz", "", nil).Status)
	time.Sleep(time.Until(frozenAt.Add(freeze))) // the fault's own length, not a wait for a condition
	dev.Restart(t)
	t.Logf("Temporal frozen for %s, then killed and restarted from its file", freeze)

	for _, r := range pending {
		testenv.Eventually(t, time.Minute, "the decision after the restart", func() bool {
			return decide(r).Status == http.StatusOK
		})
	}
	importInvoices(t, svc, 20, 1, "AFTER")
	ctx := context.Background()
	testenv.Eventually(t, time.Minute, "every invoice planned", func() bool {
		var planned int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE day_zero IS NOT NULL`).Scan(&planned))
		return planned == 40
	})
	testenv.Eventually(t, time.Minute, "the reps told of the decisions", func() bool {
		return len(svc.SendGrid.OfKind("request_decided")) == len(pending)
	})
	audit(t, svc, "Temporal frozen and restarted")
}

// TestPostgresDropsConnectionsDuringReminders terminates every connection
// of the service's database, again and again, while a batch of overdue
// invoices escalates, holds and sends its notices: every email goes out,
// once.
func TestPostgresDropsConnectionsDuringReminders(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	n := 30
	if long {
		n = 200
	}
	ctx := context.Background()
	killer, err := pgx.Connect(ctx, svc.DatabaseURL)
	require.NoError(t, err)
	defer killer.Close(ctx)

	// 70 days old: every step has passed, so each invoice sends its final
	// notice, escalates to the rep and holds the account at once, and
	// three policy seconds later tells the rep's manager.
	importInvoices(t, svc, n, 70, "OLD")
	terminated := 0
	stop := time.Now().Add(pick(6*time.Second, 30*time.Second))
	for time.Now().Before(stop) {
		var k int
		require.NoError(t, killer.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&k))
		terminated += k
		time.Sleep(300 * time.Millisecond)
	}
	t.Logf("terminated %d Postgres connections during the batch", terminated)
	require.Positive(t, terminated)
	testenv.Eventually(t, 2*time.Minute, "every final notice and escalation", func() bool {
		return finalNoticesSent(svc) >= n && len(svc.SendGrid.OfKind("escalation_overdue")) >= n
	})
	audit(t, svc, "Postgres connections terminated")
}

// TestSendGridFailuresLoseAndRepeatNothing: SendGrid refuses our key
// (401) for a while, then answers in bursts of 429 and 500: every email
// goes out once the key works, once, and no customer is asked for another
// address.
func TestSendGridFailuresLoseAndRepeatNothing(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	n := 20
	svc.SendGrid.Outage(http.StatusUnauthorized)
	importInvoices(t, svc, n, 70, "KEY")
	outage := pick(5*time.Second, time.Minute)
	time.Sleep(outage) // the fault's own length
	refused := svc.SendGrid.Attempts()
	var bursts []int
	for range 5 {
		bursts = append(bursts, http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway)
	}
	svc.SendGrid.FailNext(bursts...)
	svc.SendGrid.Recover()
	// Then it hangs beyond the sender's 15-second timeout, once.
	release := svc.SendGrid.Hold()
	hang := pick(18*time.Second, 30*time.Second)
	time.Sleep(hang) // the fault's own length
	hung := svc.SendGrid.Waiting()
	release()
	t.Logf("SendGrid answered 401 for %s (%d attempts refused), %d scripted 429/5xx, then hung for %s (%d sends waiting at the end)",
		outage, refused, len(bursts), hang, hung)
	testenv.Eventually(t, 3*time.Minute, "every final notice and escalation", func() bool {
		return finalNoticesSent(svc) >= n && len(svc.SendGrid.OfKind("escalation_overdue")) >= n
	})
	require.Empty(t, svc.SendGrid.OfKind("contact_missing"), "our key is not the customer's address")
	audit(t, svc, "SendGrid 401, 429 and 5xx")
}

// TestWorkerRestartedWhileACustomersEmailIsGathered stops the worker
// while an account's invoices hand their final notices to the customer's
// email of the day, and again while that email gathers them, each time
// starting it again: the customer receives one email listing every
// invoice, and each invoice's step records it, once.
func TestWorkerRestartedWhileACustomersEmailIsGathered(t *testing.T) {
	// A policy day of three minutes: the day's email waits for its steps
	// 18 seconds at a time, longer than each outage (2 s, 10 s in the
	// long run) and the worker's catch-up after it on a busy machine (a
	// window of 6 s was not: a step that came more than a window after
	// the one before it went out in a second email, as a latecomer does).
	svc := testenv.StartService(t, testenv.Options{Day: 3 * time.Minute})
	n := 40
	if long {
		n = 400
	}
	account := importInvoices(t, svc, n, 70, "DAY")
	ctx := context.Background()
	stepsRecorded := func() int {
		var k int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM dunning_steps d JOIN invoices i ON i.id = d.invoice_id
			WHERE i.account_id = $1 AND d.action = 'final_notice'`, account).Scan(&k))
		return k
	}
	// The first invoices have planned and handed their step over: stop.
	testenv.Eventually(t, 30*time.Second, "the first invoices planned", func() bool {
		var planned int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE account_id = $1 AND day_zero IS NOT NULL`, account).Scan(&planned))
		return planned > 0
	})
	for range 2 {
		svc.StopWorker()
		time.Sleep(pick(2*time.Second, 10*time.Second)) // the fault's own length
		svc.StartWorker(t)
		time.Sleep(500 * time.Millisecond)
	}
	testenv.Eventually(t, 4*time.Minute, "every final notice recorded", func() bool { return stepsRecorded() == n })
	audit(t, svc, "worker restarted while a customer's email gathered")

	var emails, invoices int
	require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(DISTINCT d.email_key), count(*)
		FROM dunning_steps d JOIN invoices i ON i.id = d.invoice_id
		WHERE i.account_id = $1 AND d.action = 'final_notice' AND d.outcome LIKE 'sent to %'`, account).Scan(&emails, &invoices))
	notices := svc.SendGrid.OfKind("final_notice")
	t.Logf("%d final notices in %d emails (%d reached SendGrid)", invoices, emails, len(notices))
	require.Equal(t, n, invoices, "every invoice's final notice went out")
	listed := 0
	for _, m := range notices {
		listed += strings.Count(m.Text(), "\n- DAY-")
		if !strings.Contains(m.Text(), "\n- DAY-") {
			listed++ // an email of one invoice reads as its own
		}
	}
	require.Equal(t, n, listed, "each invoice in exactly one email")
	require.Len(t, notices, emails, "each email once")
	require.Equal(t, 1, emails, "one email for the customer's day")
}

// finalNoticesSent counts the final notices recorded as sent: one
// customer's notices of a day go out in one email. A connection the
// fault terminated answers an error once: none counted, asked again.
func finalNoticesSent(svc *testenv.Service) int {
	var n int
	if err := svc.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM dunning_steps WHERE action = 'final_notice' AND outcome LIKE 'sent to %'`).Scan(&n); err != nil {
		return 0
	}
	return n
}

func preApproval(k int, requested string) map[string]any {
	return map[string]any{
		"kind":            "pre_approval",
		"requested_limit": map[string]any{"amount": requested, "currency": "EUR"},
		"prospect": map[string]any{
			"name": "Acme Tools GmbH", "registration_number": fmt.Sprintf("HRB %d-%d", time.Now().UnixNano(), k), "country": "DE",
			"billing_email": "billing@acme.example", "years_in_business": 7, "trade_references": 2,
			"annual_revenue": map[string]any{"amount": "2500000.00", "currency": "EUR"},
		},
	}
}
