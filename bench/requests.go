package main

// Path 1, credit requests through the API, and path 5, decisions under
// load.

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// activitiesOfADecidedRequest is what a pre-approval the scorecard
// decides runs (score, apply the decision, email the rep): the bare
// workflow of the comparison runs as many no-ops.
const activitiesOfADecidedRequest = 3

func preApproval(k int, tag, limit string) map[string]any {
	return map[string]any{
		"kind":            "pre_approval",
		"requested_limit": eur(limit),
		"reason":          "bench",
		"prospect": map[string]any{
			"name": fmt.Sprintf("Bench Prospect %s %d", tag, k), "registration_number": fmt.Sprintf("BENCH %s %d", tag, k), "country": "DE",
			"billing_email": "billing@prospect.example", "years_in_business": 7, "trade_references": 2,
			"annual_revenue": eur("2500000.00"),
		},
	}
}

// fileRequests posts n pre-approvals from clients at once and answers
// each POST's latency, the requests' ids, and the time all took.
func fileRequests(ctx context.Context, s *stack, token string, n, clients int, tag, limit string) ([]time.Duration, []string, time.Duration, error) {
	latencies := make([]time.Duration, n)
	ids := make([]string, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	begin := time.Now()
	for range clients {
		wg.Go(func() {
			for k := next.Add(1) - 1; k < int64(n); k = next.Add(1) - 1 {
				var r struct{ ID string }
				d, err := callWant(ctx, s.apiURL, http.MethodPost, "/api/v1/credit-requests", token, preApproval(int(k), tag, limit), http.StatusAccepted, &r)
				latencies[k], ids[k] = d, r.ID
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		})
	}
	wg.Wait()
	return latencies, ids, time.Since(begin), firstErr
}

func runRequests(b benchSetup, x *bare, sz sizes, t *table) error {
	ctx := context.Background()
	n, clients := sz.requests, sz.requestClients

	// The bare SDK: as many workflows started by as many clients, each
	// running three no-op activities.
	bareStarts, bareStarted, runs, err := x.startMany(ctx, n, clients, "bench-request-", "BenchNoOps", activitiesOfADecidedRequest)
	if err != nil {
		return err
	}
	bareBegin := time.Now().Add(-bareStarted)
	if err := waitAll(ctx, runs); err != nil {
		return err
	}
	bareDone := time.Since(bareBegin)

	s, rep, err := startStackAs(ctx, b, "rep@example.com", "sales")
	defer s.close()
	if err != nil {
		return err
	}
	// One to warm up (the first of everything loads the policy, templates…).
	if _, _, _, err := fileRequests(ctx, s, rep, 1, 1, "warm", "20000.00"); err != nil {
		return err
	}
	var profiled func()
	if b.pprofDir != "" {
		profiled = s.profile(b, "1-requests")
	}
	begin := time.Now()
	posts, _, posted, err := fileRequests(ctx, s, rep, n, clients, "p1", "20000.00")
	if err != nil {
		return err
	}
	// Decided, stored and its email in the outbox, for every one (and the
	// warm-up's).
	if err := waitFor("every pre-approval decided", 10*time.Minute, func() (bool, error) {
		var decided, emailed int
		err := s.st.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM credit_requests WHERE status = 'approved'),
			(SELECT count(*) FROM emails WHERE kind = 'request_decided')`).Scan(&decided, &emailed)
		return decided >= n+1 && emailed >= n+1, err
	}); err != nil {
		return err
	}
	done := time.Since(begin)
	if profiled != nil {
		profiled()
	}

	fmt.Printf("pre-approvals posted:     %d by %d clients in %s (%.0f/s); bare SDK starts: %s (%.0f/s); ratio %.2f (aim: at least 0.8)\n",
		n, clients, ms(posted), float64(n)/posted.Seconds(), ms(bareStarted), float64(n)/bareStarted.Seconds(), ratio(bareStarted, posted))
	fmt.Printf("all decided and emailed:  %s; bare workflows of %d no-op activities done: %s; ratio %.2f (aim: at least 0.8)\n",
		ms(done), activitiesOfADecidedRequest, ms(bareDone), ratio(bareDone, done))
	fmt.Printf("POST latency:             p50 %s, p99 %s; bare SDK start p50 %s, p99 %s\n",
		ms(percentile(posts, 0.5)), ms(percentile(posts, 0.99)), ms(percentile(bareStarts, 0.5)), ms(percentile(bareStarts, 0.99)))
	t.add("1 credit requests", fmt.Sprintf("%d pre-approvals posted by %d clients", n, clients), fmt.Sprintf("%.0f/s", float64(n)/posted.Seconds()),
		fmt.Sprintf("%.0f starts/s", float64(n)/bareStarted.Seconds()), fmt.Sprintf("%.2f", ratio(bareStarted, posted)), "≥ 0.8")
	t.add("1 credit requests", "all decided automatically, stored, email in the outbox", ms(done),
		fmt.Sprintf("%s (%d no-op activities each)", ms(bareDone), activitiesOfADecidedRequest), fmt.Sprintf("%.2f", ratio(bareDone, done)), "≥ 0.8")
	t.add("1 credit requests", "POST latency p50 / p99", ms(percentile(posts, 0.5))+" / "+ms(percentile(posts, 0.99)),
		ms(percentile(bareStarts, 0.5))+" / "+ms(percentile(bareStarts, 0.99))+" (start)", "", "")
	return nil
}

// runDecisions is path 5: half as many requests waiting for review as
// decisions; two analysts decide each at the same moment, one approving,
// one declining. Exactly one of each pair is answered 200 and the other
// 409, and the request ends as the 200 said.
func runDecisions(b benchSetup, sz sizes, t *table) error {
	ctx := context.Background()
	s, rep, err := startStackAs(ctx, b, "rep@example.com", "sales")
	defer s.close()
	if err != nil {
		return err
	}
	var analysts [2]string
	for k := range analysts {
		if analysts[k], err = s.token(b, fmt.Sprintf("analyst%d@example.com", k+1), "credit"); err != nil {
			return err
		}
	}
	pending := sz.decisions / 2
	// 50,000 is above what the scorecard decides alone: each waits for review.
	_, ids, _, err := fileRequests(ctx, s, rep, pending, sz.requestClients, "p5", "50000.00")
	if err != nil {
		return err
	}
	if err := waitFor("every request waiting for review", 5*time.Minute, func() (bool, error) {
		var n int
		err := s.st.Pool.QueryRow(ctx, `SELECT count(*) FROM credit_requests WHERE status = 'pending_review'`).Scan(&n)
		return n >= pending, err
	}); err != nil {
		return err
	}

	type decided struct {
		request string
		approve bool
		status  int
		took    time.Duration
		err     error
	}
	answers := make([]decided, 2*pending)
	startLine := make(chan struct{})
	var wg sync.WaitGroup
	for k := range answers {
		wg.Go(func() {
			d := decided{request: ids[k/2], approve: k%2 == 0}
			body := map[string]any{"outcome": "decline", "reason": "bench"}
			if d.approve {
				body = map[string]any{"outcome": "approve", "approved_limit": eur("50000.00")}
			}
			<-startLine
			a, err := call(ctx, s.apiURL, http.MethodPost, "/api/v1/credit-requests/"+d.request+"/decision", analysts[k%2], body)
			d.status, d.took, d.err = a.status, a.took, err
			answers[k] = d
		})
	}
	var profiled func()
	if b.pprofDir != "" {
		profiled = s.profile(b, "5-decisions")
	}
	close(startLine)
	wg.Wait()
	if profiled != nil {
		profiled()
	}

	counts := map[int]int{}
	var took []time.Duration
	wrong := 0
	for k := 0; k < len(answers); k += 2 {
		pair := answers[k : k+2]
		for _, d := range pair {
			if d.err != nil {
				return d.err
			}
			counts[d.status]++
			took = append(took, d.took)
		}
		var status string
		if err := s.st.Pool.QueryRow(ctx, `SELECT status FROM credit_requests WHERE id = $1`, pair[0].request).Scan(&status); err != nil {
			return err
		}
		approvedWon := pair[0].status == http.StatusOK && pair[1].status == http.StatusConflict && status == "approved"
		declinedWon := pair[1].status == http.StatusOK && pair[0].status == http.StatusConflict && status == "declined"
		if !approvedWon && !declinedWon {
			wrong++
		}
	}
	fmt.Printf("decisions:                %d at once on %d requests: %d answered 200, %d 409, %d otherwise; %d requests not decided exactly once as answered\n",
		len(answers), pending, counts[http.StatusOK], counts[http.StatusConflict], len(answers)-counts[http.StatusOK]-counts[http.StatusConflict], wrong)
	fmt.Printf("decision latency:         p50 %s, p99 %s, max %s\n", ms(percentile(took, 0.5)), ms(percentile(took, 0.99)), ms(percentile(took, 1)))
	t.add("5 decisions", fmt.Sprintf("%d at once, two per request: 200 / 409 / other / wrong", len(answers)),
		fmt.Sprintf("%d / %d / %d / %d", counts[http.StatusOK], counts[http.StatusConflict], len(answers)-counts[http.StatusOK]-counts[http.StatusConflict], wrong),
		"", "", fmt.Sprintf("%d / %d / 0 / 0", pending, pending))
	t.add("5 decisions", "latency p50 / p99 / max", ms(percentile(took, 0.5))+" / "+ms(percentile(took, 0.99))+" / "+ms(percentile(took, 1)), "", "", "")
	if wrong > 0 {
		return fmt.Errorf("%d requests were not decided exactly once as answered", wrong)
	}
	return nil
}
