// Command bench measures Creditflow's hot paths against a local Temporal
// dev server and Postgres, each beside a baseline taken in the same run:
// the bare Temporal SDK doing the equivalent on a dev server of its own.
// These machines are noisy; the ratio of the two is the number to watch.
//
//	./scripts/bench                # every path, full size (10-15 minutes)
//	./scripts/bench -quick         # every path, smaller (under 5 minutes)
//	./scripts/bench -only 3,5      # some of them
//	./scripts/bench -pprof DIR     # and CPU profiles of the worker and the API, per path
//	./scripts/bench -lane          # people's waits during an import (lane.go)
//
// The paths (numbered as in issue 11): 1 credit requests through the API,
// 2 the 09:00 batch of reminders (their steps' lag, one email per
// account), 3 a big account, 4 memory (the invoice import's rate and the
// worker's peak, the API during a 64 MiB import), 5 decisions under load.
// Each runs on a fresh dev server and database, with the real binary
// (`creditflow worker` and `creditflow api` as separate processes, so
// that each one's memory is its own) and the fake SendGrid of the tests.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func main() {
	quick := flag.Bool("quick", false, "every path at a smaller size, in under 5 minutes")
	only := flag.String("only", "3,1,5,2,4", "the paths to measure, in this order (1 requests, 2 09:00 batch, 3 big account, 4 memory, 5 decisions)")
	pprofDir := flag.String("pprof", "", "save CPU profiles of the worker and the API during each path in this directory (CREDITFLOW_PPROF_ADDR)")
	pprofSeconds := flag.Int("pprof-seconds", 15, "with -pprof: the length of each CPU profile, from the start of a path's measurement")
	n := flag.Int("n", 0, "path 4 (and -lane): invoices to import (and empty workflows to start for the baseline); default 10,000, -quick 2,000, -lane 5,000")
	batch := flag.Int("batch", 1000, "invoices per import call")
	accounts := flag.Int("accounts", 100, "path 4: customer accounts the invoices are spread over")
	concurrency := flag.Int("concurrency", 4, "import calls in flight at once")
	baselineConcurrency := flag.Int("baseline-concurrency", 32, "path 4: workflow starts in flight at once for the baseline")
	lane := flag.Bool("lane", false, "measure people's waits instead: a pre-approval's decision and a payment's answer, quiet and during an import of -n invoices (default 5,000 in this mode)")
	// The policy's default window, ten minutes, would put ten minutes into
	// every email and the run; shorter than the spread of one account's
	// steps (the dev server fires 400 timers over up to 30 s here), an
	// account gets a second email and the count of emails measures the
	// dev server.
	window := flag.Duration("window", 30*time.Second, "path 2: the customer email window (the policy's dunning.customer_email_window_seconds, default 10m), whole seconds from 1s to 1h")
	explain := flag.Bool("explain", false, "print the history, event by event, of the slowest pre-approval (-lane), or of the invoice whose reminder step came last and of the customer day whose email went last (path 2)")
	binary := flag.String("creditflow", "", "the creditflow binary to measure (default .bin/creditflow), e.g. one built from another commit")
	var dynamicConfig multiFlag
	flag.Var(&dynamicConfig, "dynamic-config", "a dev server dynamic config value KEY=VALUE (repeatable), e.g. matching.useNewMatcher=true")
	flag.Parse()
	root, _ := os.Getwd()
	b := benchSetup{bin: filepath.Join(root, ".bin"), creditflow: *binary, dynamicConfig: dynamicConfig,
		pprofDir: *pprofDir, pprofSeconds: *pprofSeconds}
	if b.creditflow == "" {
		b.creditflow = filepath.Join(b.bin, "creditflow")
	}
	if b.pprofDir != "" {
		if err := os.MkdirAll(b.pprofDir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	var err error
	if *lane {
		if *n == 0 {
			*n = 5000
		}
		err = runLane(b, *n, *batch, *accounts, *concurrency, *explain)
	} else {
		sz := fullSizes
		if *quick {
			sz = quickSizes
		}
		if *n != 0 {
			sz.imported = *n
		}
		sz.importBatch, sz.importAccounts, sz.importConcurrency, sz.baselineConcurrency = *batch, *accounts, *concurrency, *baselineConcurrency
		sz.batchWindow = *window
		if *window < time.Second || *window > time.Hour || *window%time.Second != 0 {
			err = fmt.Errorf("-window %s: want whole seconds from 1s to 1h, as the policy's customer_email_window_seconds", *window)
		} else {
			err = runSuite(b, sz, strings.Split(*only, ","), *quick, *explain)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// benchSetup says what runs: where the pinned Temporal CLI is, which
// creditflow binary, the dev server's extra dynamic config, and whether
// to profile.
type benchSetup struct {
	bin           string
	creditflow    string
	dynamicConfig []string
	pprofDir      string
	pprofSeconds  int
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// stack is Temporal, a fresh Postgres database, the fake SendGrid, and
// Creditflow's worker and API as processes of their own.
type stack struct {
	temporal client.Client
	st       *store.Store
	sendGrid *testenv.FakeSendGrid
	apiURL   string
	env      []string
	worker   *exec.Cmd
	api      *exec.Cmd
	// pprof is each process's profiler address, with -pprof.
	pprof   map[string]string
	cleanup []func()
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

// startStackAs is startStack with a first user, whose token it answers.
func startStackAs(ctx context.Context, b benchSetup, email, role string, workerEnv ...string) (*stack, string, error) {
	s, err := startStack(ctx, b, workerEnv...)
	if err != nil {
		return s, "", err
	}
	token, err := s.token(b, email, role)
	return s, token, err
}

// startStack starts everything a path measures; workerEnv is added to
// the worker's environment (the 09:00 batch's time zone).
func startStack(ctx context.Context, b benchSetup, workerEnv ...string) (*stack, error) {
	s := &stack{pprof: map[string]string{}}
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
	var stopSendGrid func()
	s.sendGrid, stopSendGrid = testenv.StartFakeSendGrid()
	s.cleanup = append(s.cleanup, stopSendGrid)

	// Creditflow: worker and API as their own processes.
	apiAddr := freeAddr()
	s.apiURL = "http://" + apiAddr
	s.env = append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"TEMPORAL_ADDRESS="+dev.FrontendHostPort(),
		"TEMPORAL_TASK_QUEUE=creditflow-bench",
		"CREDITFLOW_HTTP_ADDR="+apiAddr,
		"SENDGRID_API_KEY=SG.bench",
		"SENDGRID_API_HOST="+s.sendGrid.URL,
		"CREDITFLOW_METRICS_ADDR=",
		"CREDITFLOW_PPROF_ADDR=",
	)
	withProfiler := func(name string, env []string) []string {
		if b.pprofDir == "" {
			return env
		}
		s.pprof[name] = freeAddr()
		return append(slices.Clone(env), "CREDITFLOW_PPROF_ADDR="+s.pprof[name])
	}
	if s.worker, err = start(withProfiler("worker", append(slices.Clone(s.env), workerEnv...)), b.creditflow, "worker"); err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { stop(s.worker) })
	if s.api, err = start(withProfiler("api", s.env), b.creditflow, "api"); err != nil {
		return s, err
	}
	s.cleanup = append(s.cleanup, func() { stop(s.api) })
	return s, waitReady(s.apiURL + "/readyz")
}

// profile saves CPU profiles of the worker and the API, taken from now
// for -pprof-seconds, as DIR/<path>-<process>.pprof. Wait for it with the
// answer.
func (s *stack) profile(b benchSetup, path string) (wait func()) {
	var wg sync.WaitGroup
	for name, addr := range s.pprof {
		wg.Go(func() {
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, b.pprofSeconds)
			file := filepath.Join(b.pprofDir, path+"-"+name+".pprof")
			if err := saveURL(url, file); err != nil {
				fmt.Fprintf(os.Stderr, "bench: profile of the %s: %v\n", name, err)
			}
		})
	}
	return wg.Wait
}

func saveURL(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runMemory is path 4: the invoice import (its rate against the bare SDK
// starting as many empty workflows, and the worker's peak memory with
// every invoice workflow open), then the API's memory while it reads a
// 64 MiB import.
func runMemory(b benchSetup, sz sizes, t *table) error {
	ctx := context.Background()
	n := sz.imported

	// Baseline: the bare SDK client starting empty workflows (no worker
	// needs to run them for a start to count), on a dev server of its own,
	// so that both measurements begin with an empty server.
	baseline, err := baselineRate(ctx, b.bin, n, sz.baselineConcurrency)
	if err != nil {
		return err
	}

	s, token, err := startStackAs(ctx, b, "bench@example.com", "admin")
	defer s.close()
	if err != nil {
		return err
	}
	accountIDs, err := benchAccounts(ctx, s.st, sz.importAccounts)
	if err != nil {
		return err
	}

	var profiled func()
	if b.pprofDir != "" {
		profiled = s.profile(b, "4-import")
	}
	settleBegin := time.Now()
	imported, err := importInvoices(ctx, s.apiURL, token, accountIDs, n, sz.importBatch, sz.importConcurrency)
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
	if profiled != nil {
		profiled()
		if err := saveURL("http://"+s.pprof["worker"]+"/debug/pprof/heap", filepath.Join(b.pprofDir, "4-worker-heap.pprof")); err != nil {
			return err
		}
	}
	fmt.Printf("(imported, planned and settled in %s)\n", time.Since(settleBegin).Round(time.Second))
	fmt.Printf("invoices imported:            %d in %s, over %d accounts\n", n, imported.Round(time.Millisecond), len(accountIDs))
	fmt.Printf("import rate:                  %.0f invoices/s (%d per call, %d calls in flight)\n", float64(n)/imported.Seconds(), sz.importBatch, sz.importConcurrency)
	fmt.Printf("baseline (bare SDK starts):   %.0f workflows/s (%d in flight)\n", float64(n)/baseline.Seconds(), sz.baselineConcurrency)
	fmt.Printf("ratio import/baseline:        %.2f (aim: at least 0.80)\n", baseline.Seconds()/imported.Seconds())
	fmt.Printf("worker peak memory (VmHWM):   %.0f MB with %d invoice workflows open (aim: under 250 MB)\n", mb(peak), n)
	t.add("4 memory", fmt.Sprintf("import of %d invoices (rate)", n), fmt.Sprintf("%.0f/s", float64(n)/imported.Seconds()),
		fmt.Sprintf("%.0f starts/s", float64(n)/baseline.Seconds()), fmt.Sprintf("%.2f", baseline.Seconds()/imported.Seconds()), "≥ 0.8")
	t.add("4 memory", fmt.Sprintf("worker peak RSS, %d invoice workflows open", n), fmt.Sprintf("%.0f MB", mb(peak)), "", "", "< 250 MB")

	apiPeak, err := apiImportMemory(ctx, s, token, sz.apiImportMiB)
	if err != nil {
		return err
	}
	fmt.Printf("API peak memory (VmRSS):      %.0f MB while reading a %d MiB import (aim: under 300 MB)\n", mb(apiPeak), sz.apiImportMiB)
	t.add("4 memory", fmt.Sprintf("API peak RSS during a %d MiB import", sz.apiImportMiB), fmt.Sprintf("%.0f MB", mb(apiPeak)), "", "", "< 300 MB")
	return nil
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func startDevServer(ctx context.Context, bin string, dynamicConfig ...string) (*testsuite.DevServer, error) {
	var extra []string
	for _, kv := range dynamicConfig {
		extra = append(extra, "--dynamic-config-value", kv)
	}
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: filepath.Join(bin, "temporal"),
		LogLevel:     "error",
		// The SDK's own log (dev server starting, workers polling) is not
		// the benchmark's.
		ClientOptions: &client.Options{Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))},
		Stdout:        io.Discard,
		Stderr:        os.Stderr,
		ExtraArgs:     extra,
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

// benchAccounts makes n active accounts with room for every invoice: an
// ERP sync brings the invoices of many customers.
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
