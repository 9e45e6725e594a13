package email

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// KeyStatus is this process's view of whether SendGrid accepts our API
// key: the sender reports each refusal of the key and each accepted
// email; /readyz and the metrics read it. It is process-wide and in
// memory: a process that sends no email (the API alone) never sees an
// outage, so a deployment with separate worker and API processes alerts on
// the worker's metrics (creditflow_sendgrid_key_rejected), while
// `creditflow dev` shows it on its /readyz too.
//
// An outage is logged once as it starts and once as it ends, not once per
// retry: thousands of emails retrying against a revoked key would
// otherwise drown the log.
type KeyStatus struct {
	Logger *slog.Logger
	// Failures counts every refusal (creditflow_sendgrid_auth_failures_total);
	// Rejected is 1 during an outage (creditflow_sendgrid_key_rejected).
	// Either may be nil.
	Failures interface{ Inc() }
	Rejected interface{ Set(float64) }

	mu       sync.Mutex
	since    time.Time // zero: no outage
	status   int
	failures int
}

// Refused records SendGrid refusing our key with status (401 or 403).
func (k *KeyStatus) Refused(status int, detail string) {
	if k == nil {
		return
	}
	if k.Failures != nil {
		k.Failures.Inc()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.failures++
	k.status = status
	if !k.since.IsZero() {
		return
	}
	k.since = time.Now()
	if k.Rejected != nil {
		k.Rejected.Set(1)
	}
	if k.Logger != nil {
		k.Logger.Error("SendGrid rejects our API key: emails wait in the outbox and are retried until SENDGRID_API_KEY is fixed",
			"status", status, "sendgrid", detail)
	}
}

// Accepted records SendGrid accepting an email: the key works, and an
// outage, if any, is over.
func (k *KeyStatus) Accepted() {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.since.IsZero() {
		return
	}
	if k.Logger != nil {
		k.Logger.Info("SendGrid accepts our API key again", "outage", time.Since(k.since).Round(time.Second),
			"refusals", k.failures)
	}
	k.since, k.failures = time.Time{}, 0
	if k.Rejected != nil {
		k.Rejected.Set(0)
	}
}

// Problem is the outage /readyz reports, or "" when there is none.
func (k *KeyStatus) Problem() string {
	if k == nil {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.since.IsZero() {
		return ""
	}
	return fmt.Sprintf("sendgrid rejects our API key (%d since %s)", k.status, k.since.UTC().Format(time.RFC3339))
}
