package testenv

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// FaultBinary builds `creditflow` with the faults tag once per test
// binary: CREDITFLOW_FAULT=after-start makes it kill itself (-9) between
// starting a workflow and writing its row.
func FaultBinary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "creditflow-faults-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "creditflow")
		cmd := exec.Command("go", "build", "-tags", "faults", "-o", binaryPath, "./cmd/creditflow")
		cmd.Dir = RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build -tags faults: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// APIProcess is `creditflow api` running as a process of its own against
// a Service's database, Temporal and task queue.
type APIProcess struct {
	*Service // a copy whose URL is the process's
	cmd      *exec.Cmd
	exited   chan struct{}
	state    *os.ProcessState
}

// StartAPIProcess runs the fault-test binary's API with the extra
// environment given (such as CREDITFLOW_FAULT=after-start) and waits until
// it answers.
func (s *Service) StartAPIProcess(t testing.TB, env ...string) *APIProcess {
	t.Helper()
	bin := FaultBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(bin, "api")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+s.DatabaseURL,
		"TEMPORAL_ADDRESS="+s.temporalAddress,
		"TEMPORAL_TASK_QUEUE="+s.TaskQueue,
		"CREDITFLOW_HTTP_ADDR="+addr,
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &APIProcess{cmd: cmd, exited: make(chan struct{})}
	copied := *s
	copied.URL = "http://" + addr
	p.Service = &copied
	go func() {
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	Eventually(t, 30*time.Second, "the API process to answer", func() bool {
		resp, err := http.Get(p.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// ResidentMemory is the process's resident set (VmRSS), in bytes.
func (p *APIProcess) ResidentMemory(t testing.TB) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// Kill sends SIGKILL: the process dies wherever it is.
func (p *APIProcess) Kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
}

// Stop sends SIGTERM, as a deploy does.
func (p *APIProcess) Stop(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// Exited waits for the process to end and reports whether it exited
// cleanly (status 0).
func (p *APIProcess) Exited(t testing.TB) bool {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the API process is still running")
	}
	return p.state != nil && p.state.Success()
}

// Killed waits for the process to end and reports whether SIGKILL ended it.
func (p *APIProcess) Killed(t testing.TB) bool {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the API process is still running")
	}
	return p.state != nil && p.state.String() == "signal: killed"
}
