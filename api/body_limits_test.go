package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// hugeBody is a 70 MiB JSON object produced as it is sent, so the test
// itself holds none of it.
func hugeBody() io.Reader {
	return io.MultiReader(strings.NewReader(`{"reason":"`), io.LimitReader(repeatReader('x'), 70<<20), strings.NewReader(`"}`))
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Memory is bounded by the route, not by the caller: a signed-in sales rep
// sending 70 MiB, with an Idempotency-Key or to a route they may not call,
// is refused before more than the route's limit is read, and the API's
// resident memory does not grow by the body.
func TestASeventyMiBBodyIsRefusedWithoutTheAPIHoldingIt(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	proc := svc.StartAPIProcess(t)
	post := func(path string, headers ...string) int {
		req, err := http.NewRequest(http.MethodPost, proc.URL+path, hugeBody())
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+proc.Token(testenv.Rep))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0 // the API stopped reading and closed the connection: refused
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	// Warm up: the first requests load what every request needs.
	for range 3 {
		proc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Rep, nil)
		post("/api/v1/notes-nowhere")
	}
	before := proc.ResidentMemory(t)
	for _, c := range []struct {
		path    string
		headers []string
		want    int
	}{
		{"/api/v1/credit-requests", []string{"Idempotency-Key", "k-1"}, http.StatusRequestEntityTooLarge},
		{"/api/v1/credit-requests", nil, http.StatusRequestEntityTooLarge},
		{"/api/v1/invoices/import", []string{"Idempotency-Key", "k-2"}, http.StatusForbidden},
	} {
		status := post(c.path, c.headers...)
		require.Contains(t, []int{c.want, 0}, status, "%s %v", c.path, c.headers)
	}
	grew := proc.ResidentMemory(t) - before
	t.Logf("the API's resident memory grew by %.1f MiB over three 70 MiB bodies", float64(grew)/(1<<20))
	require.Less(t, grew, int64(8<<20), "the API held the bodies")

	// And a body within the limit is still read and answered.
	resp := proc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, bytes.Repeat([]byte("x"), 10))
	require.Equal(t, http.StatusBadRequest, resp.Status, string(resp.Body))
}

// An import takes at most 10,000 invoices per call: a bigger sync is
// sent in several calls, each answered line by line.
func TestAnImportOfMoreThanTenThousandLinesIsRefused(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	line := `{"account_id":"acc_x","number":"n","amount":{"amount":"1.00","currency":"EUR"},"issue_date":"2025-01-01"}` + "\n"
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, strings.Repeat(line, 10_001),
		"Content-Type", "application/x-ndjson")
	requireProblemStatus(t, resp, http.StatusRequestEntityTooLarge, "10,001 lines")
	require.Contains(t, resp.Map(t)["detail"], "10000")
}

// The import reads its body as a stream: 60 MiB of NDJSON (10,000 lines
// of 6 KiB) go through without the API's resident memory growing by the
// body, with an Idempotency-Key whose digest covers all of it.
func TestAnImportIsReadAsAStreamNotHeldInMemory(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	proc := svc.StartAPIProcess(t)
	// Each line is refused on its own (a field NewInvoice does not have),
	// so the answer stays small and nothing is started.
	line := `{"account_id":"acc_x","number":"n","amount":{"amount":"1.00","currency":"EUR"},"issue_date":"2025-01-01","memo":"` +
		strings.Repeat("m", 6<<10) + `"}` + "\n"
	importOnce := func(key string, lines int) (int, string) {
		req, err := http.NewRequest(http.MethodPost, proc.URL+"/api/v1/invoices/import",
			io.LimitReader(&repeatedReader{s: line}, int64(len(line)*lines)))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+proc.Token(testenv.Admin))
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Idempotent-Replayed") + " " + string(body)
	}
	importOnce("warm-up", 3) // loads what every import needs
	before := proc.ResidentMemory(t)
	status, body := importOnce("stream-1", 10_000)
	require.Equal(t, http.StatusUnprocessableEntity, status, body)
	require.Contains(t, body, "none of the 10000 lines")
	grew := proc.ResidentMemory(t) - before
	t.Logf("the API's resident memory grew by %.1f MiB over a %d MiB import", float64(grew)/(1<<20), len(line)*10_000>>20)
	require.Less(t, grew, int64(16<<20), "the API held the import")

	// The same key and body: the first answer, from the stored digest.
	status, replayed := importOnce("stream-1", 10_000)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.True(t, strings.HasPrefix(replayed, "true "), "not replayed: %.200s", replayed)
}

// repeatedReader repeats a string without end.
type repeatedReader struct {
	s   string
	off int
}

func (r *repeatedReader) Read(p []byte) (int, error) {
	n := copy(p, r.s[r.off:])
	r.off = (r.off + n) % len(r.s)
	return n, nil
}
