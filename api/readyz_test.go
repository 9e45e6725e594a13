package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/testenv"
)

// TestReadyzReportsSendGridRejectingOurKey: in a process that also sends
// email (creditflow dev), /readyz answers 503 while SendGrid refuses our
// API key, and ready again after the next accepted email.
func TestReadyzReportsSendGridRejectingOurKey(t *testing.T) {
	_, st := testenv.Database(t)
	key := &email.KeyStatus{}
	srv := (&api.Server{Store: st, Temporal: testenv.Temporal(t), Logger: testenv.Logger(), SendGridKey: key}).Handler()
	readyz := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec
	}
	require.Equal(t, http.StatusOK, readyz().Code)

	key.Refused(http.StatusUnauthorized, `{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked"}]}`)
	rec := readyz()
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, rec.Body.String(), "sendgrid rejects our API key")
	require.NotContains(t, rec.Body.String(), "authorization grant", "SendGrid's answer stays in the logs")

	key.Accepted()
	require.Equal(t, http.StatusOK, readyz().Code)
}
