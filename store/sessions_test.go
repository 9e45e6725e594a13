package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func TestASignInLinkSignsInOnceEvenWhenTwoTabsRace(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, credit.User{Email: "rep@example.com", Role: credit.RoleSales}, store.NewToken())
	require.NoError(t, err)
	require.NoError(t, st.CreateSignInLink(ctx, "sil_1", u.ID, 15*time.Minute, 5))

	got, err := st.SignInLinkUser(ctx, "sil_1")
	require.NoError(t, err, "reading the link (its confirmation page) spends nothing")
	require.Equal(t, u.ID, got.ID)

	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := st.UseSignInLink(ctx, "sil_1")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	used := 0
	for err := range results {
		if err == nil {
			used++
		} else {
			require.ErrorIs(t, err, store.ErrNotFound)
		}
	}
	require.Equal(t, 1, used)
	_, err = st.SignInLinkUser(ctx, "sil_1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestNobodyFillsAColleaguesInboxWithSignInLinks(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, credit.User{Email: "rep@example.com", Role: credit.RoleSales}, store.NewToken())
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, st.CreateSignInLink(ctx, store.NewID("sil"), u.ID, time.Minute, 3), "link %d", i)
	}
	require.ErrorIs(t, st.CreateSignInLink(ctx, store.NewID("sil"), u.ID, time.Minute, 3), store.ErrTooManyLinks)
}

func TestASessionEndsWithItsUserAndWithSignOut(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, credit.User{Email: "rep@example.com", Role: credit.RoleSales}, store.NewToken())
	require.NoError(t, err)
	id := store.HashToken("cookie")
	require.NoError(t, st.CreateSession(ctx, id, u.ID, time.Hour))
	got, err := st.SessionUser(ctx, id)
	require.NoError(t, err)
	require.Equal(t, u.Email, got.Email)

	_, err = st.DisableUser(ctx, u.Email)
	require.NoError(t, err)
	_, err = st.SessionUser(ctx, id)
	require.ErrorIs(t, err, store.ErrNotFound, "a disabled user's session no longer signs in")

	other := store.HashToken("other cookie")
	require.NoError(t, st.CreateSession(ctx, other, u.ID, -time.Second))
	_, err = st.SessionUser(ctx, other)
	require.ErrorIs(t, err, store.ErrNotFound, "an expired session")
	require.NoError(t, st.EndSession(ctx, id))
}

func TestTheLinkSecretIsMadeOnceForEveryProcess(t *testing.T) {
	_, st := testenv.Database(t)
	first, err := st.LinkSecret(context.Background())
	require.NoError(t, err)
	require.Len(t, first, 32)
	again, err := st.LinkSecret(context.Background())
	require.NoError(t, err)
	require.Equal(t, first, again)
}
