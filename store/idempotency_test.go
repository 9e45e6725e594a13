package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// A key whose first request never answered (its API died) is free again
// once its lease ends: the client's retry runs, instead of a 409 forever.
func TestAnIdempotencyKeyInFlightIsTakenOverWhenItsLeaseEnds(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	claim := func(hash string) (*store.StoredResponse, error) {
		return st.ClaimIdempotencyKey(ctx, "usr_1", "k", "POST", "/api/v1/credit-requests", []byte(hash), time.Minute)
	}
	stored, err := claim("a")
	require.NoError(t, err)
	require.Nil(t, stored, "claimed")
	_, err = claim("a")
	require.ErrorIs(t, err, store.ErrKeyInFlight, "its lease runs")

	_, err = st.Pool.Exec(ctx, `UPDATE idempotency_keys SET lease_until = now() - interval '1 second'`)
	require.NoError(t, err)
	_, err = claim("b")
	require.ErrorIs(t, err, store.ErrKeyReused, "another body never takes the key over")
	stored, err = claim("a")
	require.NoError(t, err)
	require.Nil(t, stored, "the retry takes it over")

	require.NoError(t, st.StoreIdempotentResponse(ctx, "usr_1", "k", store.StoredResponse{Status: 202, ContentType: "application/json", Body: []byte(`{}`)}))
	_, err = st.Pool.Exec(ctx, `UPDATE idempotency_keys SET lease_until = now() - interval '1 second'`)
	require.NoError(t, err)
	stored, err = claim("a")
	require.NoError(t, err)
	require.Equal(t, 202, stored.Status, "an answered key replays its answer, lease or not")
}

// Keys are kept for their retention period, then forgotten.
func TestIdempotencyKeysAreForgottenAfterTheirRetention(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	for _, key := range []string{"old", "new"} {
		_, err := st.ClaimIdempotencyKey(ctx, "usr_1", key, "POST", "/p", []byte("h"), time.Minute)
		require.NoError(t, err)
	}
	_, err := st.Pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'`)
	require.NoError(t, err)
	n, err := st.ForgetIdempotencyKeys(ctx, time.Now().Add(-24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	var left []string
	rows, err := st.Pool.Query(ctx, `SELECT key FROM idempotency_keys`)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		left = append(left, k)
	}
	require.Equal(t, []string{"new"}, left)
}
