// Command bench measures the invoice import against a local Temporal dev
// server and Postgres, beside a baseline taken in the same run: the rate at
// which the bare SDK client starts empty workflows on the same server.
// These machines are noisy; the ratio of the two is the number to watch.
//
//	./scripts/bench            # 10,000 invoices
//	./scripts/bench -n 2000    # a quicker look
//
// It runs the real binary (`creditflow worker` and `creditflow api` as
// separate processes), so the worker's peak memory is its own.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/store"
)

func main() {
	n := flag.Int("n", 10000, "invoices to import (and empty workflows to start for the baseline)")
	batch := flag.Int("batch", 1000, "invoices per import call")
	accounts := flag.Int("accounts", 100, "customer accounts the invoices are spread over")
	concurrency := flag.Int("concurrency", 4, "import calls in flight at once")
	baselineConcurrency := flag.Int("baseline-concurrency", 32, "workflow starts in flight at once for the baseline")
	lane := flag.Bool("lane", false, "measure people's waits instead: a pre-approval's decision and a payment's answer, quiet and during an import of -n invoices (default 5,000 in this mode)")
	explain := flag.Bool("explain", false, "with -lane: print the history of the slowest pre-approval, event by event")
	binary := flag.String("creditflow", "", "the creditflow binary to measure (default .bin/creditflow), e.g. one built from another commit")
	var dynamicConfig multiFlag
	flag.Var(&dynamicConfig, "dynamic-config", "a dev server dynamic config value KEY=VALUE (repeatable), e.g. matching.useNewMatcher=true")
	flag.Parse()
	root, _ := os.Getwd()
	b := benchSetup{bin: filepath.Join(root, ".bin"), creditflow: *binary, dynamicConfig: dynamicConfig}
	if b.creditflow == "" {
		b.creditflow = filepath.Join(b.bin, "creditflow")
	}
	var err error
	if *lane {
		nSet := false
		flag.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
		if !nSet {
			*n = 5000
		}
		err = runLane(b, *n, *batch, *accounts, *concurrency, *explain)
	} else {
		err = run(b, *n, *batch, *accounts, *concurrency, *baselineConcurrency)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// benchSetup says what runs: where the pinned Temporal CLI is, which
// creditflow binary, and the dev server's extra dynamic config.
type benchSetup struct {
	bin           string
	creditflow    string
	dynamicConfig []string
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// stack is Temporal, a fresh Postgres database, and Creditflow's worker
// and API as processes of their own.
type stack struct {
	temporal client.Client
	st       *store.Store
	apiURL   string
	env      []string
	worker   *exec.Cmd
	cleanup  []func()
}

func (s *stack) close() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
}

// token adds a user and answers its API token.
func (s *stack) token(b benchSetup, email, role string) (string, error) {
	out, err := output(s.env, b.creditflow, "user", "add", "--email", email, "--role", role)
	return strings.TrimSpace(out), err
}

func startStack(ctx context.Context, b benchSetup) (*stack, error) {
	s := &stack{}
	// Temporal: the pinned CLI's dev server, in memory.
	dev, err := startDevServer(ctx, b.bin, b.dynamicConfig...)
	if err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { _ = dev.Stop() })
	s.temporal = dev.Client()

	// Postgres: a fresh database.
	adminURL := envOr("CREDITFLOW_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	dbName := "creditflow_bench_" + strings.ToLower(rand.Text()[:8])
	dbURL := strings.Replace(adminURL, "/postgres?", "/"+dbName+"?", 1)
	if err := store.Migrate(ctx, dbURL); err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { dropDatabase(adminURL, dbName) })
	if s.st, err = store.Open(ctx, dbURL, 0); err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, s.st.Close)

	// Creditflow: worker and API as their own processes.
	apiAddr := freeAddr()
	s.apiURL = "http://" + apiAddr
	s.env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"TEMPORAL_ADDRESS="+dev.FrontendHostPort(),
		"TEMPORAL_TASK_QUEUE=creditflow-bench",
		"CREDITFLOW_HTTP_ADDR="+apiAddr,
		"SENDGRID_API_KEY=",
	)
	if s.worker, err = start(s.env, b.creditflow, "worker"); err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { stop(s.worker) })
	api, err := start(s.env, b.creditflow, "api")
	if err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { stop(api) })
	return s, waitReady(s.apiURL + "/readyz")
}

func run(b benchSetup, n, batch, accounts, concurrency, baselineConcurrency int) error {
	ctx := context.Background()

	// Baseline: the bare SDK client starting empty workflows (no worker
	// needs to run them for a start to count), on a dev server of its own,
	// so that both measurements begin with an empty server.
	baseline, err := baselineRate(ctx, b.bin, n, baselineConcurrency)
	if err != nil {
		return err
	}

	s, err := startStack(ctx, b)
	defer s.close()
	if err != nil {
		return err
	}
	token, err := s.token(b, "bench@example.com", "admin")
	if err != nil {
		return err
	}
	accountIDs, err := benchAccounts(ctx, s.st, accounts)
	if err != nil {
		return err
	}

	imported, err := importInvoices(ctx, s.apiURL, token, accountIDs, n, batch, concurrency)
	if err != nil {
		return err
	}

	// Let every workflow take its first steps (segment, schedule) and wait
	// on its timers, then read the worker's high-water mark.
	settle(ctx, s.st, n)
	peak, err := peakRSS(s.worker.Process.Pid)
	if err != nil {
		return err
	}

	fmt.Printf("invoices imported:            %d in %s, over %d accounts\n", n, imported.Round(time.Millisecond), len(accountIDs))
	fmt.Printf("import rate:                  %.0f invoices/s (%d per call, %d calls in flight)\n", float64(n)/imported.Seconds(), batch, concurrency)
	fmt.Printf("baseline (bare SDK starts):   %.0f workflows/s (%d in flight)\n", float64(n)/baseline.Seconds(), baselineConcurrency)
	fmt.Printf("ratio import/baseline:        %.2f (aim: at least 0.80)\n", baseline.Seconds()/imported.Seconds())
	fmt.Printf("worker peak memory (VmHWM):   %.0f MB with %d invoice workflows open (aim: under 250 MB)\n", float64(peak)/(1<<20), n)
	return nil
}

func startDevServer(ctx context.Context, bin string, dynamicConfig ...string) (*testsuite.DevServer, error) {
	var extra []string
	for _, kv := range dynamicConfig {
		extra = append(extra, "--dynamic-config-value", kv)
	}
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: filepath.Join(bin, "temporal"),
		LogLevel:     "error",
		Stdout:       io.Discard,
		Stderr:       os.Stderr,
		ExtraArgs:    extra,
	})
	if err != nil {
		return nil, fmt.Errorf("start the Temporal dev server: %w", err)
	}
	return dev, nil
}

// baselineRate starts n workflows of a type no worker serves, on a fresh
// dev server, and times it.
func baselineRate(ctx context.Context, bin string, n, concurrency int) (time.Duration, error) {
	dev, err := startDevServer(ctx, bin)
	if err != nil {
		return 0, err
	}
	defer func() { _ = dev.Stop() }()
	tc := dev.Client()
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	begin := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID:        "bench-empty-" + strconv.FormatInt(i, 10),
					TaskQueue: "bench-baseline",
				}, "BenchEmptyWorkflow")
				if err != nil {
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(begin), firstErr
}

func importInvoices(ctx context.Context, baseURL, token string, accountIDs []string, n, batch, concurrency int) (time.Duration, error) {
	today := time.Now().UTC()
	var bodies [][]byte
	for start := 0; start < n; start += batch {
		var lines []map[string]any
		for i := start; i < min(start+batch, n); i++ {
			// Issued over the last 60 days, so some are late imports.
			issued := today.AddDate(0, 0, -(i % 60))
			lines = append(lines, map[string]any{
				"account_id": accountIDs[i%len(accountIDs)],
				"number":     fmt.Sprintf("BENCH-%06d", i),
				"amount":     map[string]string{"amount": "100.00", "currency": "EUR"},
				"issue_date": issued.Format(time.DateOnly),
				"terms_days": 30,
			})
		}
		b, _ := json.Marshal(lines)
		bodies = append(bodies, b)
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	begin := time.Now()
	for _, body := range bodies {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := postImport(ctx, baseURL, token, body); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return time.Since(begin), firstErr
}

func postImport(ctx context.Context, baseURL, token string, body []byte) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/v1/invoices/import", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("import answered %d: %.300s", resp.StatusCode, out)
	}
	var report struct{ Created, Duplicates, Errors int }
	if err := json.Unmarshal(out, &report); err != nil {
		return fmt.Errorf("import report: %w", err)
	}
	if report.Errors > 0 || report.Duplicates > 0 {
		return fmt.Errorf("import reported %d invalid and %d duplicate lines: %.300s", report.Errors, report.Duplicates, out)
	}
	return nil
}

// benchAccounts makes n active accounts with room for every invoice. An
// ERP sync brings the invoices of many customers; an account's exposure is
// summed over its open invoices, so a single account with 10,000 open ones
// measures that sum more than the import (see -accounts 1).
func benchAccounts(ctx context.Context, st *store.Store, n int) ([]string, error) {
	ids := make([]string, max(n, 1))
	for k := range ids {
		ids[k] = store.NewID("acc")
		if _, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
			VALUES ($1, $2, 'billing@bench.example', 'active', 'EUR', 100000000000, 'rep@example.com')`, ids[k], fmt.Sprintf("Bench Customer %d", k+1)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// settle waits until the workflows have recorded their segment, or a
// minute, whichever comes first.
func settle(ctx context.Context, st *store.Store, n int) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var done int
		_ = st.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE segment <> ''`).Scan(&done)
		if done >= n {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
}

func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

func start(env []string, name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout = io.Discard
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s %v: %w", name, args, err)
	}
	return cmd, nil
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
}

func output(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	return string(out), err
}

func waitReady(url string) error {
	for range 100 {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200", url)
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func dropDatabase(adminURL, name string) {
	conn, err := pgx.Connect(context.Background(), adminURL)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
