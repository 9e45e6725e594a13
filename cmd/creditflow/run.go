package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/desk"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/metrics"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/schedules"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/worker"
)

func migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations to DATABASE_URL (creating the database if missing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.FromEnv()
			if err != nil {
				return err
			}
			if err := store.Migrate(cmd.Context(), cfg.DatabaseURL); err != nil {
				return err
			}
			newLogger().Info("database migrated")
			return nil
		},
	}
}

func workerCommand() *cobra.Command {
	var lanes string
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker on TEMPORAL_TASK_QUEUE (batch) and TEMPORAL_TASK_QUEUE-interactive",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			served, err := worker.ParseLanes(lanes)
			if err != nil {
				return err
			}
			return run(cmd.Context(), workerOf(served))
		},
	}
	cmd.Flags().StringVar(&lanes, "lanes", "all",
		"the lanes this process serves: all, interactive or batch (deploy them apart so an import never shares a process with people's work)")
	return cmd
}

func apiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API on CREDITFLOW_HTTP_ADDR",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), runAPI)
		},
	}
}

// service is what the worker and the API need: configuration, Postgres
// and a Temporal client.
type service struct {
	cfg      config.Config
	logger   *slog.Logger
	store    *store.Store
	temporal client.Client
	metrics  *metrics.Metrics
	// sendGridKey is this process's view of SendGrid accepting our key:
	// the worker's sender writes it, /readyz reads it (in one process
	// only when both run there, as in dev).
	sendGridKey *email.KeyStatus
	// links are the credit desk's links, for emails (worker) and the
	// desk itself (API), signed with one key.
	links *links.Links
}

// run connects to Postgres and Temporal and runs the given parts until
// the context ends or one of them fails.
func run(ctx context.Context, parts ...func(context.Context, *service) error) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	logger := newLogger()
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DBPoolSize)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := metrics.New(logger)
	if err != nil {
		return err
	}
	lk, err := links.Load(ctx, cfg.BaseURL, cfg.LinkSecret, st)
	if err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, cfg, logger, m.Temporal)
	if err != nil {
		return err
	}
	defer tc.Close()
	svc := &service{cfg: cfg, logger: logger, store: st, temporal: tc, metrics: m,
		sendGridKey: &email.KeyStatus{Logger: logger, Failures: m.SendGridAuthFailures, Rejected: m.SendGridKeyRejected}, links: lk}
	g, ctx := errgroup.WithContext(ctx)
	if cfg.MetricsAddr != "" {
		g.Go(func() error { return serveMetrics(ctx, svc) })
	}
	if cfg.PprofAddr != "" {
		g.Go(func() error { return serveProfiler(ctx, svc) })
	}
	for _, part := range parts {
		g.Go(func() error { return part(ctx, svc) })
	}
	return g.Wait()
}

func dialTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	opts := client.Options{
		HostPort:       cfg.TemporalAddress,
		Namespace:      cfg.TemporalNamespace,
		Logger:         sdklog.NewStructuredLogger(logger),
		MetricsHandler: metrics,
	}
	if cfg.TemporalTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		opts.ConnectionOptions.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
		if opts.ConnectionOptions.TLS == nil {
			opts.ConnectionOptions.TLS = &tls.Config{}
		}
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to temporal at %s (TEMPORAL_ADDRESS): %w", cfg.TemporalAddress, err)
	}
	return tc, nil
}

// runWorker serves every lane, as `creditflow dev` does.
func runWorker(ctx context.Context, svc *service) error { return workerOf(worker.AllLanes)(ctx, svc) }

// workerOf runs a worker for the given lanes.
func workerOf(lanes []worker.Lane) func(context.Context, *service) error {
	return func(ctx context.Context, svc *service) error { return runLanes(ctx, svc, lanes) }
}

func runLanes(ctx context.Context, svc *service, lanes []worker.Lane) error {
	pol, err := policy.Load(svc.cfg.PolicyFile)
	if err != nil {
		return fmt.Errorf("CREDITFLOW_POLICY_FILE: %w", err)
	}
	acts := &activities.Activities{
		Store:      svc.store,
		Policy:     pol,
		Day:        svc.cfg.Day,
		From:       svc.cfg.MailFrom,
		CreditTeam: svc.cfg.CreditTeam,
		Temporal:   svc.temporal,
		TaskQueue:  svc.cfg.TaskQueue,
		Links:      svc.links,
		DigestZone: svc.cfg.DigestZone,
	}
	if svc.cfg.InboundSecret != "" {
		acts.Replies = email.NewReplyAddresses(svc.cfg.InboundSecret, svc.cfg.InboundDomain)
	}
	if svc.cfg.SendGridAPIKey != "" {
		sender := sendgrid.New(svc.cfg.SendGridAPIKey, svc.cfg.SendGridAPIHost)
		sender.Key, sender.Refusals = svc.sendGridKey, svc.metrics.SendGridRefusal
		acts.Mail = sender
	} else {
		svc.logger.Warn("SENDGRID_API_KEY is unset: emails are rendered into the outbox and logged, not sent")
	}
	if err := schedules.Ensure(ctx, svc.temporal, svc.cfg); err != nil {
		return err
	}
	w := worker.NewLanes(svc.temporal, svc.cfg.TaskQueue, acts, worker.LimitsFor(svc.cfg.WorkerActivities, svc.cfg.DBPoolSize), lanes...)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	svc.logger.Info("worker started", "task_queues", w.TaskQueues(), "day", svc.cfg.Day,
		"activities", svc.cfg.WorkerActivities, "db_pool_size", svc.cfg.DBPoolSize)
	<-ctx.Done()
	w.Stop()
	return nil
}

func runAPI(ctx context.Context, svc *service) error {
	pol, err := policy.Load(svc.cfg.PolicyFile)
	if err != nil {
		return fmt.Errorf("CREDITFLOW_POLICY_FILE: %w", err)
	}
	srv := &api.Server{Store: svc.store, Temporal: svc.temporal, TaskQueue: svc.cfg.TaskQueue, Logger: svc.logger,
		ImportStartsPerSecond: svc.cfg.ImportStartsPerSecond,
		Metrics:               svc.metrics.HTTP, MetricsToken: svc.cfg.MetricsToken, SendGridKey: svc.sendGridKey,
		Review: pol.PeriodicReview, Scoring: pol.Scoring, Day: svc.cfg.Day,
		EventWebhookKey: svc.cfg.EventWebhookKey, InboundSecret: svc.cfg.InboundSecret}
	handler := srv.Handler()
	(&desk.Desk{Store: svc.store, Temporal: svc.temporal, TaskQueue: svc.cfg.TaskQueue, Links: svc.links, Logger: svc.logger,
		Review: pol.Review, Day: svc.cfg.Day}).Mount(handler)
	httpServer := &http.Server{
		Addr:              svc.cfg.HTTPAddr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		// A caller that trickles its body or keeps idle connections open
		// holds no memory or connection for long: two minutes reads the
		// largest body (a 64 MiB import) at about 0.5 MB/s.
		ReadTimeout: 2 * time.Minute,
		IdleTimeout: 2 * time.Minute,
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = httpServer.Shutdown(shutdown)
	}()
	go forgetIdempotencyKeys(ctx, svc)
	svc.logger.Info("api listening", "addr", svc.cfg.HTTPAddr, "desk", svc.links.Desk())
	if err := httpServer.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("CREDITFLOW_HTTP_ADDR %s: %w", svc.cfg.HTTPAddr, err)
	}
	// ListenAndServe returns as the shutdown begins: wait until the
	// requests in flight are answered before run closes the Temporal
	// client and the pool they use.
	<-drained
	return nil
}

// forgetIdempotencyKeys deletes, every hour, the Idempotency-Keys older
// than their retention: the table does not grow without end. Several API
// replicas doing it at once delete the same rows, harmlessly.
func forgetIdempotencyKeys(ctx context.Context, svc *service) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := svc.store.ForgetIdempotencyKeys(ctx, time.Now().Add(-api.IdempotencyRetention))
		if err != nil && ctx.Err() == nil {
			svc.logger.Warn("forget idempotency keys", "error", err)
		} else if n > 0 {
			svc.logger.Info("idempotency keys forgotten", "keys", n, "retention", api.IdempotencyRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// serveMetrics serves /metrics and /readyz on an address of their own,
// for the process's worker, API or both: Prometheus reaches it inside the
// deployment's network, customers and callers of the API never do.
func serveMetrics(ctx context.Context, svc *service) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", svc.metrics.HTTP)
	// The worker has no API: its readiness is here, beside its metrics,
	// including the SendGrid outage only a process that sends email sees.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		problem := svc.sendGridKey.Problem()
		if err := svc.store.Ping(ctx); err != nil {
			problem = "postgres is not reachable"
		}
		if problem != "" {
			w.Header().Set("Retry-After", "10")
			http.Error(w, problem, http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	srv := &http.Server{Addr: svc.cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	svc.logger.Info("metrics listening", "addr", svc.cfg.MetricsAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("CREDITFLOW_METRICS_ADDR %s: %w", svc.cfg.MetricsAddr, err)
	}
	return nil
}
