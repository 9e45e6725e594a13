// Package config reads Creditflow's configuration from the environment.
//
// Every variable has a default that suits a laptop; a value that cannot be
// used stops the process with an error naming the variable, so a typo in a
// deployment manifest is caught at start and not at the first reminder.
package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the binary reads from its environment.
type Config struct {
	DatabaseURL string
	// DBPoolSize is the most Postgres connections the process opens
	// (pgxpool's MaxConns).
	DBPoolSize int
	// WorkerActivities is how many activities a worker runs at once
	// (MaxConcurrentActivityExecutionSize); local activities get the same.
	WorkerActivities int

	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	TemporalAPIKey    string
	TemporalTLSCert   string
	TemporalTLSKey    string

	HTTPAddr string
	// MetricsAddr is where a process (worker, API or dev) serves
	// Prometheus /metrics, on an address of their own; unset: nowhere.
	MetricsAddr string
	// MetricsToken, when set, also serves /metrics on the API's address,
	// to whoever sends it as a bearer token. Unset: the API's address does
	// not serve /metrics (it would tell anyone about the business).
	MetricsToken string

	SendGridAPIKey  string
	SendGridAPIHost string
	MailFrom        string
	CreditTeam      string

	// Day is the length of one policy day. Production uses 24h; demos and
	// end-to-end tests compress it so a 90-day dunning cycle takes minutes.
	Day        time.Duration
	PolicyFile string
}

// Defaults as the design's configuration table gives them.
const (
	DefaultDatabaseURL     = "postgres://postgres@localhost:5432/creditflow?sslmode=disable"
	DefaultTemporalAddress = "localhost:7233"
	DefaultNamespace       = "default"
	DefaultTaskQueue       = "creditflow"
	DefaultHTTPAddr        = ":8080"
	DefaultSendGridAPIHost = "https://api.sendgrid.com"
	DefaultMailFrom        = "credit@example.com"
	DefaultDay             = 24 * time.Hour
	// A worker's activities hold a Postgres connection only for their
	// queries, never while SendGrid answers (store.DeliverOnce), so more
	// activities than connections is fine: 50 activities waiting on
	// SendGrid share 20 connections, and the API's queries find one free.
	DefaultDBPoolSize       = 20
	DefaultWorkerActivities = 50
)

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }

// Load reads the configuration through lookup, which tests replace.
func Load(lookup func(string) (string, bool)) (Config, error) {
	get := func(name, def string) string {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	c := Config{
		DatabaseURL:       get("DATABASE_URL", DefaultDatabaseURL),
		TemporalAddress:   get("TEMPORAL_ADDRESS", DefaultTemporalAddress),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", DefaultNamespace),
		TaskQueue:         get("TEMPORAL_TASK_QUEUE", DefaultTaskQueue),
		TemporalAPIKey:    get("TEMPORAL_API_KEY", ""),
		TemporalTLSCert:   get("TEMPORAL_TLS_CERT", ""),
		TemporalTLSKey:    get("TEMPORAL_TLS_KEY", ""),
		HTTPAddr:          get("CREDITFLOW_HTTP_ADDR", DefaultHTTPAddr),
		MetricsAddr:       get("CREDITFLOW_METRICS_ADDR", ""),
		MetricsToken:      get("CREDITFLOW_METRICS_TOKEN", ""),
		SendGridAPIKey:    get("SENDGRID_API_KEY", ""),
		SendGridAPIHost:   get("SENDGRID_API_HOST", DefaultSendGridAPIHost),
		MailFrom:          get("CREDITFLOW_MAIL_FROM", DefaultMailFrom),
		CreditTeam:        get("CREDITFLOW_CREDIT_TEAM", ""),
		PolicyFile:        get("CREDITFLOW_POLICY_FILE", ""),
	}

	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, fmt.Errorf("DATABASE_URL: want a postgres:// URL")
	}
	if !strings.Contains(c.TemporalAddress, ":") {
		return c, fmt.Errorf("TEMPORAL_ADDRESS: want host:port, got %q", c.TemporalAddress)
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		return c, fmt.Errorf("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither")
	}
	if !strings.Contains(c.HTTPAddr, ":") {
		return c, fmt.Errorf("CREDITFLOW_HTTP_ADDR: want [host]:port, got %q", c.HTTPAddr)
	}
	if c.MetricsAddr != "" && !strings.Contains(c.MetricsAddr, ":") {
		return c, fmt.Errorf("CREDITFLOW_METRICS_ADDR: want [host]:port, got %q", c.MetricsAddr)
	}
	if u, err := url.Parse(c.SendGridAPIHost); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("SENDGRID_API_HOST: want an http(s) URL, got %q", c.SendGridAPIHost)
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return c, fmt.Errorf("CREDITFLOW_MAIL_FROM: %q is not an email address", c.MailFrom)
	}
	if c.CreditTeam != "" {
		if _, err := mail.ParseAddress(c.CreditTeam); err != nil {
			return c, fmt.Errorf("CREDITFLOW_CREDIT_TEAM: %q is not an email address", c.CreditTeam)
		}
	}
	c.Day = DefaultDay
	if v := get("CREDITFLOW_DAY", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
			return c, fmt.Errorf("CREDITFLOW_DAY: want a duration from 100ms to 24h such as 24h or 2s, got %q", v)
		}
		c.Day = d
	}
	var err error
	if c.DBPoolSize, err = count(get, "CREDITFLOW_DB_POOL_SIZE", DefaultDBPoolSize, 1, 1000); err != nil {
		return c, err
	}
	if c.WorkerActivities, err = count(get, "CREDITFLOW_WORKER_ACTIVITIES", DefaultWorkerActivities, 1, 10000); err != nil {
		return c, err
	}
	if c.PolicyFile != "" {
		if _, err := os.Stat(c.PolicyFile); err != nil {
			return c, fmt.Errorf("CREDITFLOW_POLICY_FILE: %w", err)
		}
	}
	return c, nil
}

// count reads a whole number from lo to hi.
func count(get func(name, def string) string, name string, def, lo, hi int) (int, error) {
	v := get(name, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: want a whole number from %d to %d, got %q", name, lo, hi, v)
	}
	return n, nil
}
