package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveProfiler serves Go's profiler on CREDITFLOW_PPROF_ADDR, a listener
// of its own: goroutine stacks and heap contents are never on the API's
// address, and profiling is there to be switched on where a slow path
// is being looked at (`go tool pprof http://127.0.0.1:6060/debug/pprof/profile`).
func serveProfiler(ctx context.Context, svc *service) error {
	// A mux of its own: the package's init registers on
	// http.DefaultServeMux, which nothing here serves.
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// No write timeout: a CPU profile or trace streams for as many
	// seconds as asked.
	srv := &http.Server{Addr: svc.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	svc.logger.Info("profiler listening", "addr", svc.cfg.PprofAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("CREDITFLOW_PPROF_ADDR %s: %w", svc.cfg.PprofAddr, err)
	}
	return nil
}
