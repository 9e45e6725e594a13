package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// sizes are how big each path is: the figures, or -quick's.
type sizes struct {
	requests            int           // 1: pre-approvals posted
	requestClients      int           // 1: clients posting them at once
	batch               int           // 2: invoices whose reminder falls due in the same second
	batchAccounts       int           // 2: accounts they are spread over
	batchWindow         time.Duration // 2: the customer email window (-window)
	bigAccount          int           // 3: open invoices of the big account
	decisions           int           // 5: decisions sent at once
	imported            int           // 4: invoices imported
	apiImportMiB        int           // 4: the size of the import the API reads
	calls               int           // 3: calls of each kind per account
	importBatch         int
	importAccounts      int
	importConcurrency   int
	baselineConcurrency int
}

var (
	fullSizes = sizes{requests: 2000, requestClients: 16, batch: 2000, batchAccounts: 200, bigAccount: 10000,
		decisions: 200, imported: 10000, apiImportMiB: 64, calls: 30}
	quickSizes = sizes{requests: 200, requestClients: 16, batch: 400, batchAccounts: 200, bigAccount: 2000,
		decisions: 200, imported: 2000, apiImportMiB: 64, calls: 20}
)

// table collects each path's figures for the summary at the end, in the
// form README's benchmark section shows them.
type table struct{ rows [][6]string }

func (t *table) add(path, measure, ours, baseline, ratio, aim string) {
	t.rows = append(t.rows, [6]string{path, measure, ours, baseline, ratio, aim})
}

func (t *table) print() {
	fmt.Println()
	fmt.Println("| path | measure | Creditflow | bare SDK, same run | ratio | aim |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	for _, r := range t.rows {
		fmt.Printf("| %s |\n", strings.Join(r[:], " | "))
	}
}

func runSuite(b benchSetup, sz sizes, paths []string, quick, explain bool) error {
	t := &table{}
	begin := time.Now()
	mode := "full"
	if quick {
		mode = "quick"
	}
	fmt.Printf("creditflow bench (%s), %s, %d CPUs, load average %s\n", mode, time.Now().UTC().Format(time.RFC3339), numCPU(), loadAverage())
	// The bare SDK's side: a dev server of its own and a worker in this
	// process, started once.
	bare, err := startBare(context.Background(), b)
	if err != nil {
		return err
	}
	defer bare.close()
	defer t.print()
	for _, p := range paths {
		p = strings.TrimSpace(p)
		fmt.Printf("\n== path %s ==\n", p)
		pathBegin := time.Now()
		var err error
		switch p {
		case "1":
			err = runRequests(b, bare, sz, t)
		case "2":
			err = runBatch(b, bare, sz, t, explain)
		case "3":
			err = runBigAccount(b, sz, t)
		case "4":
			err = runMemory(b, sz, t)
		case "5":
			err = runDecisions(b, sz, t)
		default:
			err = fmt.Errorf("no path %q (1 to 5)", p)
		}
		if err != nil {
			return fmt.Errorf("path %s: %w", p, err)
		}
		fmt.Printf("(path %s took %s)\n", p, time.Since(pathBegin).Round(time.Second))
	}
	fmt.Printf("\nall paths in %s\n", time.Since(begin).Round(time.Second))
	return nil
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(strings.Count(string(b), "processor\t:"), 1)
}

func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// percentile of durations, nearest rank.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	k := int(float64(len(s))*p+0.999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}

func ms(d time.Duration) string {
	if d < 0 {
		return "-" + ms(-d)
	}
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}

// answer is one API call's status, body and how long it took.
type answer struct {
	status int
	body   []byte
	took   time.Duration
}

// call sends one API request as the holder of token.
func call(ctx context.Context, baseURL, method, path, token string, body any) (answer, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctx, method, baseURL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	begin := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, took: time.Since(begin)}, err
}

// callWant is call that fails on another status than want, and decodes
// the answer into out.
func callWant(ctx context.Context, baseURL, method, path, token string, body any, want int, out any) (time.Duration, error) {
	a, err := call(ctx, baseURL, method, path, token, body)
	if err != nil {
		return 0, err
	}
	if a.status != want {
		return 0, fmt.Errorf("%s %s answered %d: %.300s", method, path, a.status, a.body)
	}
	if out != nil {
		return a.took, json.Unmarshal(a.body, out)
	}
	return a.took, nil
}

// waitFor polls cond until it holds or the time is up.
func waitFor(what string, within time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eur(amount string) map[string]string {
	return map[string]string{"amount": amount, "currency": "EUR"}
}
