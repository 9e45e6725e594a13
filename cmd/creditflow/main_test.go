package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// execute runs the binary's root command and returns what it printed on
// stdout.
func execute(args ...string) (string, error) {
	out, _, err := executeWithStderr(args...)
	return out, err
}

func executeWithStderr(args ...string) (stdout, stderr string, err error) {
	cmd := rootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestBadEnvironmentStopsTheProcessNamingTheVariable(t *testing.T) {
	t.Setenv("CREDITFLOW_DAY", "soon")
	_, err := execute("migrate")
	require.ErrorContains(t, err, "CREDITFLOW_DAY")
}

func TestMigrateIsIdempotent(t *testing.T) {
	url, _ := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	_, err := execute("migrate")
	require.NoError(t, err)
	_, err = execute("migrate")
	require.NoError(t, err)
}

func TestMigrateCreatesAMissingDatabase(t *testing.T) {
	url, _ := testenv.Database(t)
	missing := url[:strings.LastIndex(url, "/")] + "/" + "creditflow_missing_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))[4:20] + "?sslmode=disable"
	t.Setenv("DATABASE_URL", missing)
	t.Cleanup(func() { dropDatabase(t, missing) })
	_, err := execute("migrate")
	require.NoError(t, err)

	st, err := store.Open(context.Background(), missing, 0)
	require.NoError(t, err)
	defer st.Close()
	n, err := st.CountUsers(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)
}

func dropDatabase(t *testing.T, url string) {
	name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	admin := url[:strings.LastIndex(url, "/")] + "/postgres?sslmode=disable"
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		t.Logf("drop %s: %v", name, err)
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}
