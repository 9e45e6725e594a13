package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// apiImportMemory sends the API an import of mib MiB (10,000 lines, the
// most a call takes, each refused on its own for a field NewInvoice does
// not have, so that nothing starts and only the reading is measured), and
// answers the API's highest resident memory while it read it.
func apiImportMemory(ctx context.Context, s *stack, token string, mib int) (int64, error) {
	const lines = 10_000
	pad := (mib<<20)/lines - 120
	line := `{"account_id":"acc_x","number":"n","amount":{"amount":"1.00","currency":"EUR"},"issue_date":"2025-01-01","memo":"` +
		strings.Repeat("m", max(pad, 0)) + `"}` + "\n"
	var peak atomic.Int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if v, err := procStatus(s.api.Process.Pid, "VmRSS:"); err == nil && v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.apiURL+"/api/v1/invoices/import",
		io.LimitReader(&repeated{s: line}, int64(len(line)*lines)))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	close(done)
	<-sampled
	if err != nil {
		return 0, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		return 0, fmt.Errorf("the %d MiB import answered %d: %.300s", mib, resp.StatusCode, body)
	}
	return peak.Load(), nil
}

// repeated repeats a string without end.
type repeated struct {
	s   string
	off int
}

func (r *repeated) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.s[r.off:])
		n += c
		r.off = (r.off + c) % len(r.s)
	}
	return n, nil
}

func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

// procStatus reads one memory figure of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s for pid %d", field, pid)
}
