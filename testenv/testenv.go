// Package testenv gives integration tests the real things they run
// against: a fresh Postgres database from the migrations, a Temporal dev
// server from the pinned CLI, a fake SendGrid that records what it is sent,
// and the worker and API serving real HTTP.
//
// Tests that need them call Main from TestMain. Outside CI a missing
// dependency skips the test with a message; with CI=true it fails it.
package testenv

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/store"
)

var (
	devServerOnce sync.Once
	devServer     *testsuite.DevServer
	devServerErr  error
)

// Main runs a package's tests and stops the Temporal dev server after them.
func Main(m *testing.M) {
	code := m.Run()
	if devServer != nil {
		_ = devServer.Stop()
	}
	os.Exit(code)
}

// unavailable skips outside CI and fails in CI, where every dependency
// must be present.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and a test dependency is missing: %s", msg)
	}
	t.Skipf("skipped: %s (run ./scripts/test, which provides it)", msg)
}

// RepoRoot is the directory holding go.mod.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for dir != "/" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	return "."
}

// TemporalCLI is the pinned Temporal CLI: $CREDITFLOW_TEMPORAL_CLI or
// .bin/temporal, built by ./scripts/test.
func TemporalCLI() string {
	if p := os.Getenv("CREDITFLOW_TEMPORAL_CLI"); p != "" {
		return p
	}
	return filepath.Join(RepoRoot(), ".bin", "temporal")
}

// Temporal returns a client of the package's dev server, starting it on
// first use. It is the real `temporal server start-dev`, with no flags
// beyond its ports, so the service is tested as a newcomer runs it.
func Temporal(t testing.TB) client.Client {
	t.Helper()
	cli := TemporalCLI()
	if _, err := os.Stat(cli); err != nil {
		unavailable(t, "the Temporal CLI is not at %s", cli)
	}
	devServerOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		devServer, devServerErr = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath:  cli,
			LogLevel:      "error",
			ClientOptions: &client.Options{Logger: sdklog.NewStructuredLogger(Logger())},
			Stdout:        io.Discard,
			Stderr:        os.Stderr,
		})
	})
	if devServerErr != nil {
		unavailable(t, "the Temporal dev server did not start: %v", devServerErr)
	}
	return devServer.Client()
}

// TemporalAddress is the dev server's frontend, for a second client.
func TemporalAddress(t testing.TB) string {
	Temporal(t)
	return devServer.FrontendHostPort()
}

// Logger is quiet: warnings and errors only, so test output stays readable.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// adminURL is the Postgres server tests create their databases on.
func adminURL() string {
	if u := os.Getenv("CREDITFLOW_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Database creates a fresh database from the migrations and drops it when
// the test ends. It returns its URL and an open store.
func Database(t testing.TB) (string, *store.Store) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		unavailable(t, "postgres is not reachable at %s: %v", adminURL(), err)
	}
	defer admin.Close(ctx)
	name := "creditflow_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	url := strings.Replace(adminURL(), "/postgres?", "/"+name+"?", 1)
	if !strings.Contains(url, name) {
		t.Fatalf("CREDITFLOW_TEST_DATABASE_URL must name the postgres database, got %s", adminURL())
	}
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	st, err := store.Open(ctx, url, 0)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		st.Close()
		conn, err := pgx.Connect(context.Background(), adminURL())
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return url, st
}
