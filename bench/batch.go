package main

// Path 2: the 09:00 batch. Customer emails go out at 09:00 in the
// account's time zone (with the 24-hour policy day), so every reminder
// due on a date falls due in the same second, for every account in the
// zone. To have that second come within the benchmark, the worker is
// given a time zone of its own (a TZif file in ZONEINFO) whose 09:00 is a
// minute or so away, and the invoices are due the day before that date.
// The accounts pay on time (three invoices paid on time make them
// "prompt"), so the day-after reminder is their first email.
//
// One email per customer per day: each invoice takes its step at 09:00
// and hands it to its account's email of the day, which waits the
// policy's customer email window (a window at a time while steps keep
// arriving) and then sends one email listing the account's invoices. So
// the path measures each step's lag (dunning_steps.taken_at, when the
// invoice's workflow woke for it) against bare timers, counts the emails
// (one per account), and reports when the last one went, window included.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

const batchZone = "Bench/Nine"

func runBatch(b benchSetup, x *bare, sz sizes, t *table, explain bool) error {
	ctx := context.Background()
	n, window := sz.batch, sz.batchWindow

	dir, err := os.MkdirTemp("", "creditflow-bench-batch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	zoneinfo := filepath.Join(dir, "zoneinfo")
	if err := os.MkdirAll(filepath.Join(zoneinfo, filepath.Dir(batchZone)), 0o755); err != nil {
		return err
	}
	// A policy file overlays the defaults with the keys it names.
	policyFile := filepath.Join(dir, "policy.yaml")
	policyYAML := fmt.Sprintf("dunning:\n  customer_email_window_seconds: %d\n", int(window/time.Second))
	if err := os.WriteFile(policyFile, []byte(policyYAML), 0o644); err != nil {
		return err
	}
	s, admin, err := startStackAs(ctx, b, "bench@example.com", "admin", "ZONEINFO="+zoneinfo, "CREDITFLOW_POLICY_FILE="+policyFile)
	defer s.close()
	if err != nil {
		return err
	}
	accountIDs, err := benchAccounts(ctx, s.st, sz.batchAccounts)
	if err != nil {
		return err
	}
	if _, err := s.st.Pool.Exec(ctx, `UPDATE accounts SET time_zone = $2 WHERE id = ANY($1)`, accountIDs, batchZone); err != nil {
		return err
	}
	if _, err := s.st.Pool.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status, paid_at)
		SELECT 'inv_paid_' || a.id || '_' || k, a.id, 'PAID-' || k, 'EUR', 10000, 0, current_date - 60, current_date - 30, 'paid', now() - interval '35 days'
		FROM accounts a, generate_series(1, 3) AS k WHERE a.id = ANY($1)`, accountIDs); err != nil {
		return err
	}

	// The moment: far enough for the import and every invoice's planning.
	// On a whole minute: zones are whole minutes from UTC (a plan's times
	// cross the workflow boundary as RFC 3339, which keeps no seconds of
	// an offset), so 09:00:00 anywhere is at 0 seconds past a minute.
	at := time.Now().Add(batchLead(n) + time.Minute - time.Nanosecond).Truncate(time.Minute)
	offset := nineOClockOffset(at)
	loc, err := time.LoadLocationFromTZData(batchZone, tzif(offset))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(zoneinfo, batchZone), tzif(offset), 0o644); err != nil {
		return err
	}
	local := at.In(loc)
	if local.Hour() != 9 || local.Minute() != 0 || local.Second() != 0 {
		return fmt.Errorf("the bench zone puts %s at %s, not 09:00", at, local)
	}
	// Due the day before: the prompt segment's reminder is the day after
	// the due date, at 09:00.
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	issued, due := day.AddDate(0, 0, -31), day.AddDate(0, 0, -1)
	begin := time.Now()
	for start := 0; start < n; start += 1000 {
		var lines []map[string]any
		for i := start; i < min(start+1000, n); i++ {
			lines = append(lines, map[string]any{
				"account_id": accountIDs[i%len(accountIDs)], "number": fmt.Sprintf("NINE-%06d", i), "amount": eur("100.00"),
				"issue_date": issued.Format(time.DateOnly), "due_date": due.Format(time.DateOnly),
			})
		}
		body, _ := json.Marshal(lines)
		if err := postImport(ctx, s.apiURL, admin, body); err != nil {
			return err
		}
	}
	if err := waitFor("every batch invoice planned", time.Until(at)+time.Minute, func() (bool, error) {
		return planned(ctx, s.st) >= n, nil
	}); err != nil {
		return err
	}
	plannedBy := time.Now()
	fmt.Printf("batch:                    %d invoices over %d accounts imported and planned in %s; their reminders fall due at %s (09:00 in %s)\n",
		n, len(accountIDs), ms(plannedBy.Sub(begin)), at.UTC().Format(time.TimeOnly), batchZone)
	fmt.Printf("                          %s before the moment; customer email window %s (policy dunning.customer_email_window_seconds, default 600 s)\n",
		ms(at.Sub(plannedBy)), ms(window))
	if plannedBy.After(at) {
		return fmt.Errorf("the invoices were planned %s after their reminders' moment; the machine is too busy for this size", ms(plannedBy.Sub(at)))
	}
	var prompt int
	if err := s.st.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE segment = 'prompt' AND number LIKE 'NINE-%'`).Scan(&prompt); err != nil {
		return err
	}
	if prompt != n {
		return fmt.Errorf("%d of %d batch invoices are in the prompt segment; the reminder would not be their first email", prompt, n)
	}

	// The bare SDK's timers take the wait for 09:00 when it is long enough
	// (Creditflow's worker only sleeps meanwhile), else they come after.
	var bareLags []time.Duration
	if time.Until(at) > batchLead(n)+25*time.Second {
		bareLags, err = x.timers(ctx, n, at.Add(-3*time.Second))
		if err != nil {
			bareLags = nil // too slow to fit: again after
		}
	}
	time.Sleep(time.Until(at.Add(-time.Second)))
	var profiled func()
	if b.pprofDir != "" {
		profiled = s.profile(b, "2-batch")
	}
	// A day's email records its steps once it has gone: every step
	// recorded, every email has gone. It waits at most six windows, and
	// one more for a latecomer.
	if err := waitFor("every reminder step recorded", time.Until(at)+5*time.Minute+7*window, func() (bool, error) {
		var recorded int
		err := s.st.Pool.QueryRow(ctx, `SELECT count(*) FROM dunning_steps d JOIN invoices i ON i.id = d.invoice_id
			WHERE i.number LIKE 'NINE-%'`).Scan(&recorded)
		return recorded >= n, err
	}); err != nil {
		return err
	}
	if profiled != nil {
		profiled()
	}
	steps, err := batchSteps(ctx, s.st, at)
	if err != nil {
		return err
	}
	if bareLags == nil {
		if bareLags, err = x.timers(ctx, n, time.Time{}); err != nil {
			return err
		}
	}
	d, err := deliveries(steps, s.sendGrid.OfKind(email.KindInvoiceReminder), at)
	if err != nil {
		return err
	}
	if early := percentile(d.stepLags, 0); early < 0 {
		return fmt.Errorf("a reminder step was taken %s before its moment", ms(-early))
	}
	fmt.Printf("reminder step lag:        p50 %s, p99 %s, max %s (moment to dunning_steps.taken_at, the invoice's clock when it woke for the step)\n",
		ms(percentile(d.stepLags, 0.5)), ms(percentile(d.stepLags, 0.99)), ms(percentile(d.stepLags, 1)))
	fmt.Printf("bare SDK timer lag:       p50 %s, p99 %s, max %s (%d timers, moment to the workflow's clock on waking); p99 beyond it %s (aim: at most 2 s)\n",
		ms(percentile(bareLags, 0.5)), ms(percentile(bareLags, 0.99)), ms(percentile(bareLags, 1)), n,
		ms(percentile(d.stepLags, 0.99)-percentile(bareLags, 0.99)))
	fmt.Printf("customer emails:          %d for %d accounts (aim: one each); %d accounts had more than one\n",
		len(d.emails), len(accountIDs), d.split)
	fmt.Printf("email lag:                last %s after the moment, window of %s included; after its account's last step p50 %s, max %s\n",
		ms(d.last), ms(window), ms(percentile(d.afterLastStep, 0.5)), ms(percentile(d.afterLastStep, 1)))
	if explain {
		what := fmt.Sprintf("the slowest reminder step's invoice (taken %s after the moment, at %s)", ms(d.slowest), at.Add(d.slowest).UTC().Format("15:04:05.000"))
		if err := timeline(ctx, s.temporal, what, d.slowestInvoice); err != nil {
			return err
		}
		what = fmt.Sprintf("the last email's customer day (accepted %s after the moment, at %s)", ms(d.last), at.Add(d.last).UTC().Format("15:04:05.000"))
		if err := timeline(ctx, s.temporal, what, d.lastDay); err != nil {
			return err
		}
	}
	t.add("2 09:00 batch", fmt.Sprintf("%d reminders due in one second, %d accounts: step taken, lag p50 / p99 / max", n, len(accountIDs)),
		ms(percentile(d.stepLags, 0.5))+" / "+ms(percentile(d.stepLags, 0.99))+" / "+ms(percentile(d.stepLags, 1)),
		ms(percentile(bareLags, 0.5))+" / "+ms(percentile(bareLags, 0.99))+" / "+ms(percentile(bareLags, 1))+" (timers)",
		"p99 "+signed(percentile(d.stepLags, 0.99)-percentile(bareLags, 0.99)), "p99 ≤ +2 s")
	t.add("2 09:00 batch", "customer emails: one per account a day", fmt.Sprintf("%d for %d accounts", len(d.emails), len(accountIDs)),
		"", "", fmt.Sprintf("%d (one per account)", len(accountIDs)))
	t.add("2 09:00 batch", fmt.Sprintf("last email after 09:00 (includes the %s window) / after its account's last step, max", ms(window)),
		ms(d.last)+" / "+ms(percentile(d.afterLastStep, 1)), "", "", "")
	return nil
}

// batchStep is a batch invoice's reminder step as its day's email
// recorded it.
type batchStep struct {
	key, emailKey, outcome string
	lag                    time.Duration // taken_at after the moment
}

func batchSteps(ctx context.Context, st *store.Store, at time.Time) ([]batchStep, error) {
	rows, err := st.Pool.Query(ctx, `SELECT d.step_key, coalesce(d.email_key, ''), d.outcome, d.taken_at
		FROM dunning_steps d JOIN invoices i ON i.id = d.invoice_id WHERE i.number LIKE 'NINE-%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []batchStep
	for rows.Next() {
		var s batchStep
		var taken time.Time
		if err := rows.Scan(&s.key, &s.emailKey, &s.outcome, &taken); err != nil {
			return nil, err
		}
		s.lag = taken.Sub(at)
		steps = append(steps, s)
	}
	return steps, rows.Err()
}

// delivery is what the batch's customers received.
type delivery struct {
	stepLags       []time.Duration
	slowest        time.Duration
	slowestInvoice string // the invoice workflow whose step came last
	emails         map[string]time.Duration
	split          int             // accounts sent more than one email
	last           time.Duration   // the last email's acceptance after the moment
	lastDay        string          // its customer day's workflow
	afterLastStep  []time.Duration // each email after the last step it carries
}

// deliveries matches the recorded steps with the emails SendGrid
// accepted: every step must have gone out in one of them.
func deliveries(steps []batchStep, sent []testenv.SentMail, at time.Time) (delivery, error) {
	d := delivery{emails: map[string]time.Duration{}}
	lastStep := map[string]time.Duration{}
	for _, s := range steps {
		if s.emailKey == "" {
			return d, fmt.Errorf("step %s went out in no email: %s", s.key, s.outcome)
		}
		d.stepLags = append(d.stepLags, s.lag)
		// A step's key is its invoice's workflow id, "/", the step.
		if d.slowestInvoice == "" || s.lag > d.slowest {
			d.slowest, d.slowestInvoice = s.lag, s.key[:max(strings.LastIndex(s.key, "/"), 0)]
		}
		if l, ok := lastStep[s.emailKey]; !ok || s.lag > l {
			lastStep[s.emailKey] = s.lag
		}
	}
	for _, m := range sent {
		key := m.CustomArgs["email_key"]
		if _, ok := d.emails[key]; !ok { // a retried send is accepted twice
			d.emails[key] = m.AcceptedAt.Sub(at)
		}
	}
	perDay := map[string]int{}
	for key, lag := range d.emails {
		// An email's key is its customer day's workflow id, "/", a hash
		// of the steps it carries.
		day := key[:max(strings.LastIndex(key, "/"), 0)]
		if perDay[day]++; perDay[day] == 2 {
			d.split++
		}
		if d.lastDay == "" || lag > d.last {
			d.last, d.lastDay = lag, day
		}
		if l, ok := lastStep[key]; ok {
			d.afterLastStep = append(d.afterLastStep, lag-l)
		}
	}
	for key := range lastStep {
		if _, ok := d.emails[key]; !ok {
			return d, fmt.Errorf("steps were recorded as sent in %s, which SendGrid never accepted", key)
		}
	}
	return d, nil
}

func signed(d time.Duration) string {
	if d < 0 {
		return ms(d)
	}
	return "+" + ms(d)
}

// timers sets n bare timers for the same second, batchLead ahead, each
// then running one activity, which notes when the workflow woke, and
// answers how late each woke; an error when they are not all done by
// doneBy (unless zero).
func (x *bare) timers(ctx context.Context, n int, doneBy time.Time) ([]time.Duration, error) {
	x.runs++
	prefix := fmt.Sprintf("bench-timer-%d-", x.runs)
	at := time.Now().Add(batchLead(n)).Truncate(time.Second)
	_, started, _, err := x.startMany(ctx, n, 16, prefix, "BenchTimer", at)
	if err != nil {
		return nil, err
	}
	fmt.Printf("bare timers:              %d workflows started in %s, %s before their moment\n", n, ms(started), ms(time.Until(at)))
	if time.Now().After(at) {
		return nil, fmt.Errorf("starting %d timer workflows took past their moment; the machine is too busy", n)
	}
	within := time.Until(at) + 5*time.Minute
	if !doneBy.IsZero() {
		within = time.Until(doneBy)
	}
	var lags []time.Duration
	err = waitFor("every bare timer", within, func() (bool, error) {
		lags = lags[:0]
		x.woke.Range(func(k, v any) bool {
			if strings.HasPrefix(k.(string), prefix) {
				lags = append(lags, v.(time.Time).Sub(at))
			}
			return true
		})
		return len(lags) >= n, nil
	})
	return lags, err
}

// batchLead is how far ahead, at least, the batch's moment is set: time
// to start or import and plan every invoice first.
func batchLead(n int) time.Duration { return 10*time.Second + time.Duration(n)*20*time.Millisecond }

// nineOClockOffset is the UTC offset, in seconds, of a zone where at is
// 09:00:00.
func nineOClockOffset(at time.Time) int {
	u := at.UTC()
	sinceMidnight := time.Duration(u.Hour())*time.Hour + time.Duration(u.Minute())*time.Minute + time.Duration(u.Second())*time.Second
	offset := 9*time.Hour - sinceMidnight
	for offset <= -12*time.Hour {
		offset += 24 * time.Hour
	}
	for offset > 14*time.Hour {
		offset -= 24 * time.Hour
	}
	return int(offset / time.Second)
}

// tzif is a TZif (version 1) zone with one offset and no transitions.
func tzif(offset int) []byte {
	var b bytes.Buffer
	b.WriteString("TZif")
	b.WriteByte(0)
	b.Write(make([]byte, 15))
	// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
	for _, c := range []uint32{0, 0, 0, 0, 1, 4} {
		_ = binary.Write(&b, binary.BigEndian, c)
	}
	_ = binary.Write(&b, binary.BigEndian, int32(offset))
	b.Write([]byte{0, 0}) // not DST; abbreviation at 0
	b.WriteString("BNC\x00")
	return b.Bytes()
}
