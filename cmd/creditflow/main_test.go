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

func execute(args ...string) (string, error) {
	cmd := rootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestUserAddPrintsOnlyTheToken(t *testing.T) {
	url, st := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)

	out, err := execute("user", "add", "--email", "Analyst@Example.com", "--role", "credit", "--approval-limit", "50000")
	require.NoError(t, err)
	token := strings.TrimSuffix(out, "\n")
	require.NotContains(t, token, "\n", "one line")
	require.True(t, strings.HasPrefix(token, "cft_"))

	u, err := st.UserByToken(context.Background(), token)
	require.NoError(t, err)
	require.Equal(t, "analyst@example.com", u.Email)
	require.Equal(t, int64(50000), *u.ApprovalLimit)

	again, err := execute("user", "add", "--email", "analyst@example.com", "--role", "credit")
	require.NoError(t, err)
	_, err = st.UserByToken(context.Background(), token)
	require.Error(t, err, "a new token replaces the old one")
	_, err = st.UserByToken(context.Background(), strings.TrimSpace(again))
	require.NoError(t, err)
}

func TestUserAddRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"user", "add", "--email", "x", "--role", "sales"},
		{"user", "add", "--email", "a@example.com", "--role", "boss"},
		{"user", "add", "--email", "a@example.com", "--role", "sales", "--approval-limit", "5"},
	} {
		_, err := execute(args...)
		require.Error(t, err, "%v", args)
	}
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

	st, err := store.Open(context.Background(), missing)
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
