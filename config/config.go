// Package config reads Creditflow's configuration from the environment.
//
// Every variable has a default that suits a laptop; a value that cannot be
// used stops the process with an error naming the variable, so a typo in a
// deployment manifest is caught at start and not at the first reminder.
package config

import (
	"crypto/ecdsa"
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

	// ImportStartsPerSecond bounds the invoice workflows an API process
	// starts per second for imports (CREDITFLOW_IMPORT_STARTS_PER_SECOND):
	// a 100,000-invoice sync is spread over time instead of flooding
	// Temporal and the batch lane at once.
	ImportStartsPerSecond int

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
	// PprofAddr is where a process serves Go's profiler (net/http/pprof),
	// on a listener of its own, never the API's; unset: nowhere. It
	// shows the process's insides (and costs CPU while profiling), so it
	// belongs on a loopback or private address.
	PprofAddr string

	SendGridAPIKey  string
	SendGridAPIHost string
	MailFrom        string
	CreditTeam      string

	// EventWebhookKey verifies SendGrid's signed Event Webhook
	// (SENDGRID_WEBHOOK_PUBLIC_KEY); nil: the events endpoint answers 404.
	EventWebhookKey *ecdsa.PublicKey
	// InboundSecret is the secret in Inbound Parse's URL and InboundDomain
	// the domain of reply-to addresses (CREDITFLOW_INBOUND_SECRET and
	// CREDITFLOW_INBOUND_DOMAIN); both unset: no reply-to, endpoint 404.
	InboundSecret string
	InboundDomain string

	// Day is the length of one policy day. Production uses 24h; demos and
	// end-to-end tests compress it so a 90-day dunning cycle takes minutes.
	Day        time.Duration
	PolicyFile string

	// BaseURL is where people reach the credit desk; links in emails
	// start with it (CREDITFLOW_BASE_URL).
	BaseURL string
	// LinkSecret signs the desk's links and CSRF tokens
	// (CREDITFLOW_LINK_SECRET); unset: a key generated once and kept in
	// the database.
	LinkSecret string
	// DigestZone is the time zone of the weekly digest's Monday 07:00
	// (CREDITFLOW_DIGEST_TZ).
	DigestZone *time.Location
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
	DefaultBaseURL         = "http://localhost:8080"
	// MinLinkSecret is the shortest CREDITFLOW_LINK_SECRET accepted: a
	// short key could be guessed from one signed link.
	MinLinkSecret   = 32
	DefaultDigestTZ = "UTC"
	// A worker's activities hold a Postgres connection only for their
	// queries, never while SendGrid answers (store.DeliverOnce), so more
	// activities than connections is fine: 50 activities waiting on
	// SendGrid share 20 connections, and the API's queries find one free.
	DefaultDBPoolSize       = 20
	DefaultWorkerActivities = 50
	// DefaultImportStartsPerSecond is above what one API process started
	// unpaced on the benchmark's 2-core machine (about 330 a second), so
	// the bound costs an import nothing there, and it caps a bigger
	// machine's burst; see README, operations.
	DefaultImportStartsPerSecond = 400
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
		PprofAddr:         get("CREDITFLOW_PPROF_ADDR", ""),
		SendGridAPIKey:    get("SENDGRID_API_KEY", ""),
		SendGridAPIHost:   get("SENDGRID_API_HOST", DefaultSendGridAPIHost),
		MailFrom:          get("CREDITFLOW_MAIL_FROM", DefaultMailFrom),
		CreditTeam:        get("CREDITFLOW_CREDIT_TEAM", ""),
		PolicyFile:        get("CREDITFLOW_POLICY_FILE", ""),
		InboundSecret:     get("CREDITFLOW_INBOUND_SECRET", ""),
		InboundDomain:     get("CREDITFLOW_INBOUND_DOMAIN", ""),
		BaseURL:           strings.TrimRight(get("CREDITFLOW_BASE_URL", DefaultBaseURL), "/"),
		LinkSecret:        get("CREDITFLOW_LINK_SECRET", ""),
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
	if c.PprofAddr != "" && !strings.Contains(c.PprofAddr, ":") {
		return c, fmt.Errorf("CREDITFLOW_PPROF_ADDR: want [host]:port, got %q", c.PprofAddr)
	}
	if c.PprofAddr != "" && (c.PprofAddr == c.HTTPAddr || c.PprofAddr == c.MetricsAddr) {
		return c, fmt.Errorf("CREDITFLOW_PPROF_ADDR: %s is already the API's or the metrics' address; the profiler needs one of its own", c.PprofAddr)
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
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("CREDITFLOW_BASE_URL: want the http(s) URL people open the desk at, such as %s, got %q", DefaultBaseURL, c.BaseURL)
	}
	if c.LinkSecret != "" && len(c.LinkSecret) < MinLinkSecret {
		return c, fmt.Errorf("CREDITFLOW_LINK_SECRET: want at least %d characters (e.g. openssl rand -hex 32), or unset it to keep a generated key in the database", MinLinkSecret)
	}
	if err := c.loadWebhooks(get); err != nil {
		return c, err
	}
	c.Day = DefaultDay
	if v := get("CREDITFLOW_DAY", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 24*time.Hour {
			return c, fmt.Errorf("CREDITFLOW_DAY: want a duration from 100ms to 24h such as 24h or 2s, got %q", v)
		}
		c.Day = d
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("CREDITFLOW_BASE_URL: want an http(s) URL, got %q", c.BaseURL)
	}
	// The zone is loaded here, not when the digest first runs: a typo
	// stops the worker at start, not a Monday morning.
	zone := get("CREDITFLOW_DIGEST_TZ", DefaultDigestTZ)
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return c, fmt.Errorf("CREDITFLOW_DIGEST_TZ: want an IANA time zone such as Europe/Berlin, got %q", zone)
	}
	c.DigestZone = loc
	if c.DBPoolSize, err = count(get, "CREDITFLOW_DB_POOL_SIZE", DefaultDBPoolSize, 1, 1000); err != nil {
		return c, err
	}
	if c.WorkerActivities, err = count(get, "CREDITFLOW_WORKER_ACTIVITIES", DefaultWorkerActivities, 1, 10000); err != nil {
		return c, err
	}
	if c.ImportStartsPerSecond, err = count(get, "CREDITFLOW_IMPORT_STARTS_PER_SECOND", DefaultImportStartsPerSecond, 1, 100000); err != nil {
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
