package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// addUser runs user add for a new user and returns the token it printed.
func addUser(t *testing.T, args ...string) string {
	t.Helper()
	out, err := execute(append([]string{"user", "add"}, args...)...)
	require.NoError(t, err)
	token := strings.TrimSuffix(out, "\n")
	require.NotContains(t, token, "\n", "one line")
	require.True(t, strings.HasPrefix(token, "cft_"), "the token only: %q", out)
	return token
}

func TestUserAddPrintsOnlyTheTokenOfANewUser(t *testing.T) {
	url, st := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()

	token := addUser(t, "--email", "Analyst@Example.com", "--role", "credit", "--approval-limit", "50000")
	u, err := st.UserByToken(ctx, token)
	require.NoError(t, err)
	require.Equal(t, "analyst@example.com", u.Email)
	require.Equal(t, int64(50000), *u.ApprovalLimit)

	out, stderr, err := executeWithStderr("user", "add", "--email", "analyst@example.com", "--role", "credit")
	require.NoError(t, err)
	require.Empty(t, out, "an existing user keeps their token, so nothing is printed on stdout")
	require.Contains(t, stderr, "token is unchanged")
	_, err = st.UserByToken(ctx, token)
	require.NoError(t, err, "the token still works")
}

func TestUserAddToAnExistingUserChangesOnlyTheFlagsGiven(t *testing.T) {
	url, st := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	addUser(t, "--email", "ada@example.com", "--role", "credit", "--name", "Ada Analyst",
		"--manager", "boss@example.com", "--approval-limit", "50000")

	user := func() credit.User {
		t.Helper()
		u, err := st.UserByEmail(ctx, "ada@example.com")
		require.NoError(t, err)
		return u
	}

	_, stderr, err := executeWithStderr("user", "add", "--email", "ada@example.com", "--name", "Ada Lovelace")
	require.NoError(t, err)
	require.Contains(t, stderr, "--name")
	u := user()
	require.Equal(t, "Ada Lovelace", u.Name)
	require.Equal(t, credit.RoleCredit, u.Role, "role kept")
	require.Equal(t, "boss@example.com", u.ManagerEmail, "manager kept")
	require.Equal(t, int64(50000), *u.ApprovalLimit, "approval limit kept")

	_, err = execute("user", "add", "--email", "ada@example.com", "--approval-limit", "75000", "--manager", "Chief@Example.com")
	require.NoError(t, err)
	u = user()
	require.Equal(t, "Ada Lovelace", u.Name, "name kept")
	require.Equal(t, "chief@example.com", u.ManagerEmail)
	require.Equal(t, int64(75000), *u.ApprovalLimit)

	_, err = execute("user", "add", "--email", "ada@example.com", "--manager", "")
	require.NoError(t, err)
	require.Empty(t, user().ManagerEmail, "--manager '' removes the manager")

	_, stderr, err = executeWithStderr("user", "add", "--email", "ada@example.com", "--role", "credit_manager")
	require.NoError(t, err)
	u = user()
	require.Equal(t, credit.RoleCreditManager, u.Role)
	require.Nil(t, u.ApprovalLimit, "only the credit role has an approval limit")
	require.Contains(t, stderr, "no longer has an approval limit")
	require.Equal(t, "Ada Lovelace", u.Name)

	_, err = execute("user", "add", "--email", "ada@example.com", "--approval-limit", "5")
	require.ErrorContains(t, err, "--approval-limit", "an existing non-credit user gets no limit")
	require.ErrorContains(t, err, "credit_manager")
	require.Nil(t, user().ApprovalLimit)
}

func TestUserTokenReplacesTheToken(t *testing.T) {
	url, st := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	old := addUser(t, "--email", "rep@example.com", "--role", "sales")

	out, err := execute("user", "token", "--email", "REP@example.com")
	require.NoError(t, err)
	token := strings.TrimSuffix(out, "\n")
	require.True(t, strings.HasPrefix(token, "cft_"), "the token only: %q", out)
	require.NotEqual(t, old, token)

	_, err = st.UserByToken(ctx, old)
	require.ErrorIs(t, err, store.ErrNotFound, "the old token stops working")
	u, err := st.UserByToken(ctx, token)
	require.NoError(t, err)
	require.Equal(t, "rep@example.com", u.Email)
}

func TestUserDisableStopsAuthenticationAndMailAndAddEnablesAgain(t *testing.T) {
	url, st := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	old := addUser(t, "--email", "a.analyst@example.com", "--role", "credit", "--name", "Ann")
	addUser(t, "--email", "b.analyst@example.com", "--role", "credit")

	out, stderr, err := executeWithStderr("user", "disable", "--email", "a.analyst@example.com")
	require.NoError(t, err)
	require.Empty(t, out)
	require.Contains(t, stderr, "disabled")

	_, err = st.UserByToken(ctx, old)
	require.ErrorIs(t, err, store.ErrNotFound, "a disabled user's token is unknown")
	analysts, err := st.EmailsOfRole(ctx, credit.RoleCredit)
	require.NoError(t, err)
	require.Equal(t, []string{"b.analyst@example.com"}, analysts, "a disabled analyst is not mailed")
	u, err := st.UserByEmail(ctx, "a.analyst@example.com")
	require.NoError(t, err, "the row stays: history names them")
	require.NotNil(t, u.DisabledAt)

	_, err = execute("user", "disable", "--email", "a.analyst@example.com")
	require.NoError(t, err, "disabling twice is harmless")
	_, err = execute("user", "token", "--email", "a.analyst@example.com")
	require.ErrorContains(t, err, "disabled")

	token := addUser(t, "--email", "a.analyst@example.com")
	u, err = st.UserByToken(ctx, token)
	require.NoError(t, err, "user add enables them again with a new token")
	require.Nil(t, u.DisabledAt)
	require.Equal(t, "Ann", u.Name, "what was not given is kept")
	_, err = st.UserByToken(ctx, old)
	require.ErrorIs(t, err, store.ErrNotFound, "a token from before the disabling stays dead")
	analysts, err = st.EmailsOfRole(ctx, credit.RoleCredit)
	require.NoError(t, err)
	require.Equal(t, []string{"a.analyst@example.com", "b.analyst@example.com"}, analysts)
}

func TestUserListIsATableByEmail(t *testing.T) {
	url, _ := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	addUser(t, "--email", "rep@example.com", "--role", "sales", "--name", "Riley Rep", "--manager", "boss@example.com")
	addUser(t, "--email", "analyst@example.com", "--role", "credit", "--approval-limit", "50000")
	addUser(t, "--email", "cleo@example.com", "--role", "credit")
	addUser(t, "--email", "gone@example.com", "--role", "admin")
	_, err := execute("user", "disable", "--email", "gone@example.com")
	require.NoError(t, err)

	out, err := execute("user", "list")
	require.NoError(t, err)
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		// Columns are two or more spaces apart; a name may hold one.
		var cells []string
		for _, cell := range strings.Split(line, "  ") {
			if cell = strings.TrimSpace(cell); cell != "" {
				cells = append(cells, cell)
			}
		}
		rows = append(rows, cells)
	}
	require.Len(t, rows, 5, out)
	require.Equal(t, []string{"EMAIL", "ROLE", "NAME", "MANAGER", "APPROVAL LIMIT", "DISABLED"}, rows[0])
	require.Equal(t, []string{"analyst@example.com", "credit", "-", "-", "50000", "-"}, rows[1])
	require.Equal(t, []string{"cleo@example.com", "credit", "-", "-", "default", "-"}, rows[2])
	require.Equal(t, "gone@example.com", rows[3][0])
	require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d UTC$`, rows[3][5], "when they were disabled")
	require.Equal(t, []string{"rep@example.com", "sales", "Riley Rep", "boss@example.com", "-", "-"}, rows[4])
}

func TestUserCommandsRefuseBadFlagsNamingTheFlag(t *testing.T) {
	url, _ := testenv.Database(t)
	t.Setenv("DATABASE_URL", url)
	addUser(t, "--email", "rep@example.com", "--role", "sales")
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"user", "add", "--email", "x", "--role", "sales"}, "--email"},
		{[]string{"user", "add", "--email", "Ann <a@example.com>", "--role", "sales"}, "--email"},
		{[]string{"user", "add", "--role", "sales"}, `"email"`},
		{[]string{"user", "add", "--email", "a@example.com", "--role", "boss"}, "--role"},
		{[]string{"user", "add", "--email", "a@example.com"}, "--role"},
		{[]string{"user", "add", "--email", "a@example.com", "--role", "sales", "--approval-limit", "5"}, "--approval-limit"},
		{[]string{"user", "add", "--email", "a@example.com", "--role", "credit", "--approval-limit", "-1"}, "--approval-limit"},
		{[]string{"user", "add", "--email", "a@example.com", "--role", "sales", "--manager", "boss"}, "--manager"},
		{[]string{"user", "add", "--email", "rep@example.com", "--approval-limit", "5"}, "--approval-limit"},
		{[]string{"user", "add", "--email", "rep@example.com", "--role", "admin", "--approval-limit", "5"}, "--approval-limit"},
		{[]string{"user", "token", "--email", "nobody@example.com"}, "--email"},
		{[]string{"user", "token", "--email", "x"}, "--email"},
		{[]string{"user", "token"}, `"email"`},
		{[]string{"user", "disable", "--email", "nobody@example.com"}, "--email"},
	} {
		out, err := execute(c.args...)
		require.ErrorContains(t, err, c.flag, "%q", c.args)
		require.Empty(t, out, "%q: no token for a refused command", c.args)
	}
}
