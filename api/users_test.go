package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

func userEmail(u credit.User) string { return u.Email }

func TestAnAdminAddsListsAndDisablesUsers(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})

	resp := svc.Call(t, http.MethodPost, "/api/v1/users", testenv.Admin, map[string]any{
		"email": "Nora.Analyst@Example.com", "name": "Nora Analyst", "role": "credit",
		"manager_email": testenv.CreditManager, "approval_limit": 25000,
	}, "Idempotency-Key", "add-nora")
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var nora credit.User
	resp.JSON(t, &nora)
	require.Equal(t, "nora.analyst@example.com", nora.Email)
	require.Equal(t, credit.RoleCredit, nora.Role)
	require.Equal(t, int64(25000), *nora.ApprovalLimit)
	require.NotContains(t, resp.Map(t), "token", "tokens stay a matter for the command line")

	again := svc.Call(t, http.MethodPost, "/api/v1/users", testenv.Admin, map[string]any{
		"email": "Nora.Analyst@Example.com", "name": "Nora Analyst", "role": "credit",
		"manager_email": testenv.CreditManager, "approval_limit": 25000,
	}, "Idempotency-Key", "add-nora")
	require.Equal(t, http.StatusCreated, again.Status, "a retry gets the first answer")
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/users", testenv.Admin,
		map[string]any{"email": "nora.analyst@example.com", "role": "sales"}), http.StatusConflict, "an address already taken")
	require.Contains(t, p.Detail, "nora.analyst@example.com")

	// Listed by email with the test's own users, a page at a time.
	pages := pagesOf(t, svc, testenv.Admin, "/api/v1/users?limit=3", userEmail)
	var all []string
	for k, page := range pages {
		if k < len(pages)-1 {
			require.Len(t, page, 3)
		}
		all = append(all, page...)
	}
	require.IsIncreasing(t, all)
	require.Contains(t, all, "nora.analyst@example.com")
	require.Contains(t, all, testenv.Rep)

	// Disabling a user stops their token; disabling twice keeps the moment.
	rep, err := svc.Store.UserByEmail(context.Background(), testenv.OtherRep)
	require.NoError(t, err)
	resp = svc.Call(t, http.MethodPost, "/api/v1/users/"+rep.ID+"/disable", testenv.Admin, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var disabled credit.User
	resp.JSON(t, &disabled)
	require.NotNil(t, disabled.DisabledAt)
	requireProblemStatus(t, svc.Call(t, http.MethodGet, "/api/v1/accounts", testenv.OtherRep, nil), http.StatusUnauthorized, "a disabled user")
	resp = svc.Call(t, http.MethodPost, "/api/v1/users/"+rep.ID+"/disable", testenv.Admin, map[string]any{})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var twice credit.User
	resp.JSON(t, &twice)
	require.True(t, disabled.DisabledAt.Equal(*twice.DisabledAt))

	admin, err := svc.Store.UserByEmail(context.Background(), testenv.Admin)
	require.NoError(t, err)
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/users/"+admin.ID+"/disable", testenv.Admin, nil),
		http.StatusConflict, "nobody disables themselves")
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/users/usr_nobody/disable", testenv.Admin, nil),
		http.StatusNotFound, "an unknown user")
}

func TestOnlyAnAdminManagesUsers(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	rep, err := svc.Store.UserByEmail(context.Background(), testenv.Rep)
	require.NoError(t, err)
	newUser := map[string]any{"email": "someone@example.com", "role": "admin"}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/users", nil},
		{http.MethodPost, "/api/v1/users", newUser},
		{http.MethodPost, "/api/v1/users/" + rep.ID + "/disable", nil},
	} {
		requireProblemStatus(t, svc.Call(t, c.method, c.path, "", c.body), http.StatusUnauthorized, c.path)
		for _, user := range []string{testenv.Rep, testenv.Analyst, testenv.CreditManager} {
			requireProblemStatus(t, svc.Call(t, c.method, c.path, user, c.body), http.StatusForbidden, "%s %s as %s", c.method, c.path, user)
		}
	}
	_, err = svc.Store.UserByEmail(context.Background(), "someone@example.com")
	require.Error(t, err, "nobody was added")
	u, err := svc.Store.UserByEmail(context.Background(), testenv.Rep)
	require.NoError(t, err)
	require.Nil(t, u.DisabledAt, "nobody was disabled")
}

// TestANewUserIsCheckedAsUserAddChecksOne: the same rules as the command
// (credit.CheckUser), each problem naming its field.
func TestANewUserIsCheckedAsUserAddChecksOne(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	for _, c := range []struct {
		name   string
		body   map[string]any
		status int
		fields []string
	}{
		{"no email", map[string]any{"role": "sales"}, http.StatusUnprocessableEntity, []string{"email"}},
		{"not an address", map[string]any{"email": "ann", "role": "sales"}, http.StatusUnprocessableEntity, []string{"email"}},
		{"a display name with the address", map[string]any{"email": "Ann <ann@example.com>", "role": "sales"}, http.StatusUnprocessableEntity, []string{"email"}},
		{"no role", map[string]any{"email": "ann@example.com"}, http.StatusUnprocessableEntity, []string{"role"}},
		{"an unknown role", map[string]any{"email": "ann@example.com", "role": "boss"}, http.StatusUnprocessableEntity, []string{"role"}},
		{"a limit for sales", map[string]any{"email": "ann@example.com", "role": "sales", "approval_limit": 5}, http.StatusUnprocessableEntity, []string{"approval_limit"}},
		{"a negative limit", map[string]any{"email": "ann@example.com", "role": "credit", "approval_limit": -1}, http.StatusUnprocessableEntity, []string{"approval_limit"}},
		{"a bad manager", map[string]any{"email": "ann@example.com", "role": "sales", "manager_email": "boss"}, http.StatusUnprocessableEntity, []string{"manager_email"}},
		{"a name on two lines", map[string]any{"email": "ann@example.com", "role": "sales", "name": "Ann\nBcc: x@example.com"}, http.StatusUnprocessableEntity, []string{"name"}},
		{"a token asked for", map[string]any{"email": "ann@example.com", "role": "sales", "token": "cft_mine"}, http.StatusUnprocessableEntity, []string{"token"}},
		{"everything wrong at once", map[string]any{"email": "ann", "role": "admin", "approval_limit": 5, "manager_email": "x"}, http.StatusUnprocessableEntity,
			[]string{"email", "manager_email", "approval_limit"}},
	} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/users", testenv.Admin, c.body), c.status, c.name)
		require.ElementsMatch(t, c.fields, fieldsOf(p), "%s: %+v", c.name, p.Errors)
	}
	_, err := svc.Store.UserByEmail(context.Background(), "ann@example.com")
	require.Error(t, err, "nobody was added")
}
