package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// DevServer is a `temporal server start-dev` of one test's own, persisted
// to a file, so that the test may freeze it (SIGSTOP), kill it and start
// it again on the same port with the same workflows.
type DevServer struct {
	Address string
	dbFile  string
	cmd     *exec.Cmd
	client  client.Client
}

// StartDevServer starts a dev server of the test's own.
func StartDevServer(t testing.TB) *DevServer {
	t.Helper()
	if _, err := os.Stat(TemporalCLI()); err != nil {
		unavailable(t, "the Temporal CLI is not at %s", TemporalCLI())
	}
	d := &DevServer{Address: "127.0.0.1:" + freePort(t), dbFile: filepath.Join(t.TempDir(), "temporal.db")}
	d.start(t)
	t.Cleanup(func() {
		if d.client != nil {
			d.client.Close()
		}
		d.kill()
	})
	return d
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func (d *DevServer) start(t testing.TB) {
	t.Helper()
	host, port, _ := net.SplitHostPort(d.Address)
	d.cmd = exec.Command(TemporalCLI(), "server", "start-dev", "--headless", "--ip", host, "--port", port,
		"--http-port", freePort(t), "--metrics-port", freePort(t), "--db-filename", d.dbFile, "--log-level", "error",
		"--dynamic-config-value", "frontend.enableServerVersionCheck=false")
	d.cmd.Stderr = os.Stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start the dev server: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: d.Address, Logger: sdklog.NewStructuredLogger(Logger())})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			cancel()
			c.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dev server on %s did not answer: %v", d.Address, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Client is a client of this dev server; it reconnects across restarts.
func (d *DevServer) Client(t testing.TB) client.Client {
	t.Helper()
	if d.client == nil {
		c, err := client.Dial(client.Options{HostPort: d.Address, Logger: sdklog.NewStructuredLogger(Logger())})
		if err != nil {
			t.Fatalf("dial the dev server: %v", err)
		}
		d.client = c
	}
	return d.client
}

// Freeze stops the server's process (SIGSTOP): it holds its connections
// and answers nothing, as a hung server does.
func (d *DevServer) Freeze(t testing.TB) { d.signal(t, syscall.SIGSTOP) }

// Thaw lets a frozen server go on.
func (d *DevServer) Thaw(t testing.TB) { d.signal(t, syscall.SIGCONT) }

func (d *DevServer) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s to the dev server: %v", sig, err)
	}
}

// Restart kills the server (-9) and starts it again on the same port and
// file: what it persisted survives, as a server restart after a crash.
func (d *DevServer) Restart(t testing.TB) {
	t.Helper()
	d.kill()
	d.start(t)
}

func (d *DevServer) kill() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGCONT) // a frozen process dies too
	_ = d.cmd.Process.Kill()
	_ = d.cmd.Wait()
}

// String names the server in messages.
func (d *DevServer) String() string { return fmt.Sprintf("dev server %s", d.Address) }
