package main

// The lane benchmark (./scripts/bench -lane): how long people wait while
// machines work. It times what a person meets: from a pre-approval's POST
// to its automatic decision (polling the request), and a payment's POST,
// which answers when the invoice's workflow has recorded it (a Workflow
// Update). First on a quiet system, then during an import of -n invoices
// (5,000 in calls of -batch): a first probe two seconds after the import
// begins, then one every two seconds until every imported invoice has
// taken its first step.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

func runLane(b benchSetup, n, batch, accounts, concurrency int, explain bool) error {
	ctx := context.Background()
	s, admin, err := startStackAs(ctx, b, "bench@example.com", "admin")
	defer s.close()
	if err != nil {
		return err
	}
	p := &people{apiURL: s.apiURL}
	if p.rep, err = s.token(b, "rep@example.com", "sales"); err != nil {
		return err
	}
	if p.analyst, err = s.token(b, "analyst@example.com", "credit"); err != nil {
		return err
	}
	accountIDs, err := benchAccounts(ctx, s.st, accounts)
	if err != nil {
		return err
	}
	// The invoices the probes pay are of an account of their own, so
	// that the import's invoices do not share its row with them.
	payer, err := benchAccounts(ctx, s.st, 1)
	if err != nil {
		return err
	}
	if err := p.openInvoices(ctx, s.st, payer[0], 120); err != nil {
		return err
	}

	// Quiet: after one of each to warm up, five of each, one at a time.
	var quiet probes
	for k := range 6 {
		decided, paid, err := p.probe()
		if err != nil {
			return err
		}
		if k > 0 {
			quiet.add(decided, paid)
		}
	}

	// During the import.
	var busy probes
	type result struct {
		took time.Duration
		err  error
	}
	imported := make(chan result, 1)
	begin := time.Now()
	go func() {
		took, err := importInvoices(ctx, s.apiURL, admin, accountIDs, n, batch, concurrency)
		imported <- result{took, err}
	}()
	var importTook time.Duration
	var worst string
	importDone := false
	for next := begin.Add(2 * time.Second); ; next = next.Add(2 * time.Second) {
		time.Sleep(time.Until(next))
		decided, paid, err := p.probe()
		if err != nil {
			return err
		}
		busy.add(decided, paid)
		if decided == slices.Max(busy.decided) {
			worst = p.lastRequest
		}
		if !importDone {
			select {
			case r := <-imported:
				if r.err != nil {
					return r.err
				}
				importTook, importDone = r.took, true
			default:
			}
		}
		if importDone && (planned(ctx, s.st) >= n+len(p.invoices) || time.Since(begin) > 3*time.Minute) {
			break
		}
	}
	drained := time.Since(begin)

	fmt.Printf("import:                        %d invoices in %s (%.0f invoices/s, %d per call, %d calls in flight); all planned after %s\n",
		n, importTook.Round(time.Millisecond), float64(n)/importTook.Seconds(), batch, concurrency, drained.Round(time.Second))
	fmt.Printf("pre-approval POST to decision: quiet median %s; during the import: first (at +2 s) %s, median %s, worst %s of %d\n",
		ms(quiet.median(quiet.decided)), ms(busy.decided[0]), ms(busy.median(busy.decided)), ms(slices.Max(busy.decided)), len(busy.decided))
	fmt.Printf("payment POST (Update) answer:  quiet median %s; during the import: first (at +2 s) %s, median %s, worst %s of %d\n",
		ms(quiet.median(quiet.paid)), ms(busy.paid[0]), ms(busy.median(busy.paid)), ms(slices.Max(busy.paid)), len(busy.paid))
	fmt.Printf("ratio during/quiet:            pre-approval first %.1f, worst %.1f; payment first %.1f, worst %.1f (aim: decided within 3 s)\n",
		ratio(busy.decided[0], quiet.median(quiet.decided)), ratio(slices.Max(busy.decided), quiet.median(quiet.decided)),
		ratio(busy.paid[0], quiet.median(quiet.paid)), ratio(slices.Max(busy.paid), quiet.median(quiet.paid)))
	if explain {
		return timeline(ctx, s.temporal, "the slowest pre-approval", workflows.CreditRequestWorkflowID(worst))
	}
	return nil
}

// timeline prints where a request's time went: each event of its history
// from its start, and the task queue it ran on.
func timeline(ctx context.Context, tc client.Client, what, workflowID string) error {
	fmt.Printf("\n%s, %s:\n", what, workflowID)
	history := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var first time.Time
	for history.HasNext() {
		e, err := history.Next()
		if err != nil {
			return err
		}
		at := e.GetEventTime().AsTime()
		if first.IsZero() {
			first = at
		}
		detail := ""
		if t := e.GetTimerStartedEventAttributes(); t != nil {
			detail = "for " + t.GetStartToFireTimeout().AsDuration().String()
		}
		fmt.Printf("  +%-9s %s %s %s\n", at.Sub(first).Round(time.Millisecond), at.UTC().Format("15:04:05.000"), e.GetEventType(), detail)
	}
	return nil
}

// probes are the waits measured.
type probes struct{ decided, paid []time.Duration }

func (p *probes) add(decided, paid time.Duration) {
	p.decided = append(p.decided, decided)
	p.paid = append(p.paid, paid)
}

func (p *probes) median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

// people are a sales rep filing pre-approvals and an analyst recording
// payments, each on their own probe.
type people struct {
	apiURL       string
	rep, analyst string
	invoices     []string
	next, filed  atomic.Int64
	lastRequest  string
}

// probe files a pre-approval and pays an invoice at the same moment, and
// answers how long each took.
func (p *people) probe() (decided, paid time.Duration, err error) {
	errs := make(chan error, 2)
	go func() {
		var err error
		decided, p.lastRequest, err = p.preApproval()
		errs <- err
	}()
	go func() {
		var err error
		paid, err = p.payment()
		errs <- err
	}()
	for range 2 {
		if e := <-errs; e != nil {
			err = e
		}
	}
	return decided, paid, err
}

// preApproval files one the scorecard approves at once (band A, 20,000
// within the recommended limit and the automatic 25,000), and waits for
// its decision.
func (p *people) preApproval() (time.Duration, string, error) {
	k := p.filed.Add(1)
	body := map[string]any{
		"kind":            "pre_approval",
		"requested_limit": map[string]string{"amount": "20000.00", "currency": "EUR"},
		"reason":          "bench",
		"prospect": map[string]any{
			"name": fmt.Sprintf("Bench Prospect %d", k), "registration_number": fmt.Sprintf("BENCH %d", k), "country": "DE",
			"billing_email": "billing@prospect.example", "years_in_business": 7, "trade_references": 2,
			"annual_revenue": map[string]string{"amount": "2500000.00", "currency": "EUR"},
		},
	}
	begin := time.Now()
	var r struct{ ID, Status string }
	if err := p.call(http.MethodPost, "/api/v1/credit-requests", p.rep, body, http.StatusAccepted, &r); err != nil {
		return 0, "", err
	}
	for time.Since(begin) < 5*time.Minute {
		if r.Status == "approved" {
			return time.Since(begin), r.ID, nil
		}
		time.Sleep(20 * time.Millisecond)
		if err := p.call(http.MethodGet, "/api/v1/credit-requests/"+r.ID, p.rep, nil, http.StatusOK, &r); err != nil {
			return 0, "", err
		}
	}
	return 0, "", fmt.Errorf("pre-approval %s not decided within 5 minutes (%s)", r.ID, r.Status)
}

// payment pays one open invoice in full; the POST answers once the
// invoice's workflow has recorded it.
func (p *people) payment() (time.Duration, error) {
	k := p.next.Add(1) - 1
	if int(k) >= len(p.invoices) {
		return 0, fmt.Errorf("out of invoices to pay (%d)", len(p.invoices))
	}
	body := map[string]any{
		"amount":      map[string]string{"amount": "100.00", "currency": "EUR"},
		"received_at": time.Now().UTC().Format(time.RFC3339),
		"reference":   fmt.Sprintf("BENCH-PAY-%d", k),
	}
	begin := time.Now()
	for {
		err := p.call(http.MethodPost, "/api/v1/invoices/"+p.invoices[k]+"/payments", p.analyst, body, http.StatusOK, nil)
		// Past the API's deadline the answer is 503: the analyst's client
		// sends the same payment again (its reference makes it the same
		// Update), and the wait goes on.
		if err == nil || !errors.Is(err, errUnavailable) || time.Since(begin) > 5*time.Minute {
			return time.Since(begin), err
		}
	}
}

var errUnavailable = errors.New("503")

// openInvoices creates n invoices of 100.00 due in 30 days on the account
// and waits until their workflows have planned them.
func (p *people) openInvoices(ctx context.Context, st *store.Store, accountID string, n int) error {
	for k := range n {
		body := map[string]any{
			"account_id": accountID, "number": fmt.Sprintf("PAY-%04d", k),
			"amount":     map[string]string{"amount": "100.00", "currency": "EUR"},
			"issue_date": time.Now().UTC().Format(time.DateOnly), "terms_days": 30,
		}
		var inv struct{ ID string }
		if err := p.call(http.MethodPost, "/api/v1/invoices", p.analyst, body, http.StatusCreated, &inv); err != nil {
			return err
		}
		p.invoices = append(p.invoices, inv.ID)
	}
	deadline := time.Now().Add(time.Minute)
	for planned(ctx, st) < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("the payment probes' %d invoices were not planned within a minute", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func (p *people) call(method, path, token string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.apiURL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusServiceUnavailable {
		return fmt.Errorf("%s %s: %w", method, path, errUnavailable)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s answered %d: %.300s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
