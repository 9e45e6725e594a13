package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func ptr[T any](v T) *T { return &v }

func TestCreateUserRefusesATakenEmail(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, credit.User{Email: "Ada@Example.com", Role: credit.RoleCredit, Name: "Ada"}, store.NewToken())
	require.NoError(t, err)
	require.Equal(t, "ada@example.com", u.Email)
	require.NotEmpty(t, u.ID)

	_, err = st.CreateUser(ctx, credit.User{Email: "ada@example.com", Role: credit.RoleSales}, store.NewToken())
	require.ErrorIs(t, err, store.ErrConflict)
}

func TestUpdateUserChangesOnlyWhatIsGiven(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	token := store.NewToken()
	_, err := st.CreateUser(ctx, credit.User{Email: "ada@example.com", Role: credit.RoleCredit, Name: "Ada",
		ManagerEmail: "boss@example.com", ApprovalLimit: ptr(int64(50000))}, token)
	require.NoError(t, err)

	u, err := st.UpdateUser(ctx, "ADA@example.com", store.UserChanges{Name: ptr("Ada Lovelace")})
	require.NoError(t, err)
	require.Equal(t, credit.User{ID: u.ID, Email: "ada@example.com", Role: credit.RoleCredit, Name: "Ada Lovelace",
		ManagerEmail: "boss@example.com", ApprovalLimit: ptr(int64(50000))}, u)
	_, err = st.UserByToken(ctx, token)
	require.NoError(t, err, "the token is kept")

	u, err = st.UpdateUser(ctx, "ada@example.com", store.UserChanges{ManagerEmail: ptr("")})
	require.NoError(t, err)
	require.Empty(t, u.ManagerEmail)

	_, err = st.UpdateUser(ctx, "ada@example.com", store.UserChanges{Role: ptr(credit.RoleSales), ApprovalLimit: ptr(int64(1))})
	require.Error(t, err, "the table holds no approval limit for a role other than credit")

	u, err = st.UpdateUser(ctx, "ada@example.com", store.UserChanges{Role: ptr(credit.RoleCreditManager)})
	require.NoError(t, err)
	require.Nil(t, u.ApprovalLimit, "leaving the credit role drops the limit")
	require.Equal(t, "Ada Lovelace", u.Name)

	_, err = st.UpdateUser(ctx, "nobody@example.com", store.UserChanges{Name: ptr("x")})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestADisabledUserNeitherAuthenticatesNorIsMailed(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	token := store.NewToken()
	for _, u := range []credit.User{
		{Email: "a.analyst@example.com", Role: credit.RoleCredit},
		{Email: "b.analyst@example.com", Role: credit.RoleCredit},
	} {
		_, err := st.CreateUser(ctx, u, token+u.Email)
		require.NoError(t, err)
	}

	u, err := st.DisableUser(ctx, "a.analyst@example.com")
	require.NoError(t, err)
	require.NotNil(t, u.DisabledAt)
	_, err = st.UserByToken(ctx, token+"a.analyst@example.com")
	require.ErrorIs(t, err, store.ErrNotFound)
	emails, err := st.EmailsOfRole(ctx, credit.RoleCredit)
	require.NoError(t, err)
	require.Equal(t, []string{"b.analyst@example.com"}, emails)

	again, err := st.DisableUser(ctx, "a.analyst@example.com")
	require.NoError(t, err)
	require.Equal(t, u.DisabledAt, again.DisabledAt, "disabling twice keeps the first moment")

	require.ErrorIs(t, st.IssueToken(ctx, "a.analyst@example.com", store.NewToken()), store.ErrUserDisabled)
	require.ErrorIs(t, st.IssueToken(ctx, "nobody@example.com", store.NewToken()), store.ErrNotFound)

	users, err := st.Users(ctx)
	require.NoError(t, err)
	require.Len(t, users, 2, "a disabled user's row stays")
	require.Equal(t, "a.analyst@example.com", users[0].Email)
	require.NotNil(t, users[0].DisabledAt)

	fresh := store.NewToken()
	u, err = st.UpdateUser(ctx, "a.analyst@example.com", store.UserChanges{Token: &fresh})
	require.NoError(t, err)
	require.Nil(t, u.DisabledAt, "a new token enables them again")
	_, err = st.UserByToken(ctx, fresh)
	require.NoError(t, err)
	_, err = st.UserByToken(ctx, token+"a.analyst@example.com")
	require.ErrorIs(t, err, store.ErrNotFound, "the token from before stays dead")
}

func TestIssueTokenReplacesTheToken(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	old := store.NewToken()
	_, err := st.CreateUser(ctx, credit.User{Email: "rep@example.com", Role: credit.RoleSales}, old)
	require.NoError(t, err)

	token := store.NewToken()
	require.NoError(t, st.IssueToken(ctx, "rep@example.com", token))
	_, err = st.UserByToken(ctx, old)
	require.ErrorIs(t, err, store.ErrNotFound)
	u, err := st.UserByToken(ctx, token)
	require.NoError(t, err)
	require.Equal(t, "rep@example.com", u.Email)
}
