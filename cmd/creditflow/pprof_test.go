package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// TestProfilerIsOnItsOwnAddressOnly: with CREDITFLOW_PPROF_ADDR the API
// process serves the profiler there, and its public address still
// answers 404 to the profiler's paths.
func TestProfilerIsOnItsOwnAddressOnly(t *testing.T) {
	dbURL, _ := testenv.Database(t)
	apiAddr, pprofAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(testenv.FaultBinary(t), "api")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+testenv.TemporalAddress(t),
		"CREDITFLOW_HTTP_ADDR="+apiAddr, "CREDITFLOW_PPROF_ADDR="+pprofAddr, "SENDGRID_API_KEY=", "CREDITFLOW_METRICS_ADDR=")
	var stderr output
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	testenv.Eventually(t, 60*time.Second, "the API to answer", func() bool {
		code, _ := get("http://" + apiAddr + "/healthz")
		return code == http.StatusOK
	})
	code, body := get("http://" + pprofAddr + "/debug/pprof/heap?debug=1")
	require.Equal(t, http.StatusOK, code, stderr.String())
	require.Contains(t, body, "heap profile")
	code, _ = get("http://" + apiAddr + "/debug/pprof/heap?debug=1")
	require.Equal(t, http.StatusNotFound, code)
}
