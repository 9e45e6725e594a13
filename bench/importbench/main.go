// Command importbench measures the invoice import against a local
// Temporal dev server and Postgres: it imports N invoices through the API
// (NDJSON, in calls of 1,000 lines), reports invoices per second and the
// worker's peak memory with those N invoice workflows open, then, in the
// same run, the rate of starting N empty workflows with the bare SDK
// client at the same concurrency, and the ratio of the two.
//
//	go run ./bench/importbench            # 10,000 invoices
//	go run ./bench/importbench -n 2000
//
// It needs Postgres (CREDITFLOW_TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) and the pinned Temporal CLI
// at .bin/temporal. The worker runs as its own process (the creditflow
// binary, built first), so that its memory is its own.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

func main() {
	n := flag.Int("n", 10000, "invoices to import, and empty workflows to start")
	batch := flag.Int("batch", 1000, "invoices per import call")
	calls := flag.Int("calls", 4, "import calls in flight at once")
	flag.Parse()
	if err := run(*n, *batch, *calls); err != nil {
		log.Fatal(err)
	}
}

func run(n, batch, calls int) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	root, err := os.Getwd()
	if err != nil {
		return err
	}

	// Postgres: a fresh database.
	admin := os.Getenv("CREDITFLOW_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	name := "creditflow_bench_" + strings.ToLower(rand.Text()[:8])
	dbURL := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	if err := store.Migrate(ctx, dbURL); err != nil {
		return err
	}
	defer dropDatabase(admin, name)
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()

	// Temporal: the pinned dev server.
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: filepath.Join(root, ".bin", "temporal"), LogLevel: "error",
		ClientOptions: &client.Options{Logger: sdklog.NewStructuredLogger(quiet)}, Stdout: io.Discard, Stderr: os.Stderr,
	})
	if err != nil {
		return fmt.Errorf("temporal dev server (is .bin/temporal built? ./scripts/test builds it): %w", err)
	}
	defer dev.Stop()
	tc := dev.Client()

	// The worker, as its own process.
	bin := filepath.Join(os.TempDir(), "creditflow-bench")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/creditflow").CombinedOutput(); err != nil {
		return fmt.Errorf("build creditflow: %v\n%s", err, out)
	}
	worker := exec.Command(bin, "worker")
	worker.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+dev.FrontendHostPort(),
		"TEMPORAL_TASK_QUEUE=creditflow-bench", "CREDITFLOW_DAY=24h", "SENDGRID_API_KEY=")
	worker.Stderr = io.Discard
	if err := worker.Start(); err != nil {
		return err
	}
	defer func() { _ = worker.Process.Kill(); _ = worker.Wait() }()

	// The API, in this process, with an admin and an account.
	token := store.NewToken()
	if _, err := st.UpsertUser(ctx, credit.User{Email: "admin@example.com", Role: credit.RoleAdmin}, token); err != nil {
		return err
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ('acc_bench', 'Bench GmbH', 'ap@bench.example', 'active', 'EUR', 100000000000, 'rep@example.com')`); err != nil {
		return err
	}
	srv := httptest.NewServer((&api.Server{Store: st, Temporal: tc, TaskQueue: "creditflow-bench", Logger: quiet}).Handler())
	defer srv.Close()

	// 1. The import through the API.
	today := time.Now().UTC()
	var bodies [][]byte
	for start := 0; start < n; start += batch {
		var b bytes.Buffer
		for k := start; k < min(start+batch, n); k++ {
			fmt.Fprintf(&b, `{"account_id":"acc_bench","number":"B-%06d","amount":{"amount":"%d.00","currency":"EUR"},"issue_date":"%s"}`+"\n",
				k, 100+k%900, today.AddDate(0, 0, -(k%60)).Format(time.DateOnly))
		}
		bodies = append(bodies, b.Bytes())
	}
	var created atomic.Int64
	began := time.Now()
	g := new(errgroup.Group)
	g.SetLimit(calls)
	for _, body := range bodies {
		g.Go(func() error {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/invoices/import", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var report struct{ Created int }
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("import: %d %s", resp.StatusCode, b)
			}
			if err := jsonUnmarshal(b, &report); err != nil {
				return err
			}
			created.Add(int64(report.Created))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	importTime := time.Since(began)
	importRate := float64(created.Load()) / importTime.Seconds()

	// Every invoice workflow has run its first task (the plan) and waits.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var planned int
		if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE segment <> ''`).Scan(&planned); err != nil {
			return err
		}
		if planned >= int(created.Load()) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	peak, rss := memory(worker.Process.Pid)

	// 2. The bare SDK: start N empty workflows at the import's concurrency.
	var bare sync.WaitGroup
	began = time.Now()
	sem := make(chan struct{}, 64)
	var failed atomic.Int64
	for k := range n {
		bare.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; bare.Done() }()
			_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bare/" + strconv.Itoa(k), TaskQueue: "bench-bare"}, "EmptyWorkflow")
			if err != nil {
				failed.Add(1)
			}
		}()
	}
	bare.Wait()
	bareRate := float64(n-int(failed.Load())) / time.Since(began).Seconds()

	fmt.Printf("imported %d invoices in %s: %.0f invoices/s (%d calls of %d, %d at once)\n", created.Load(), importTime.Round(time.Millisecond), importRate, len(bodies), batch, calls)
	fmt.Printf("worker with %d invoice workflows open: peak RSS %.0f MB (now %.0f MB)\n", created.Load(), peak, rss)
	fmt.Printf("bare SDK client: started %d empty workflows at %.0f/s\n", n-int(failed.Load()), bareRate)
	fmt.Printf("import / bare start rate: %.2f (aim: >= 0.8); worker peak: %.0f MB (aim: < 250 MB)\n", importRate/bareRate, peak)
	return nil
}

// memory reads a process's peak and current resident set (Linux), in MB.
func memory(pid int) (peak, rss float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "VmHWM:":
			peak = kb / 1024
		case "VmRSS:":
			rss = kb / 1024
		}
	}
	return peak, rss
}

func dropDatabase(admin, name string) {
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
