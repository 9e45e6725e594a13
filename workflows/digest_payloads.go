package workflows

import "time"

// DigestInput starts a weekly digest run, or continues one. The schedule
// and POST /digests/run start it empty: the run plans its week itself.
// Continued as new, it carries the plan, where the last run stopped and
// what it did.
type DigestInput struct {
	Plan *DigestPlan `json:"plan,omitempty"`
	// After is the last recipient (by email) an earlier run of this
	// digest went through.
	After string       `json:"after,omitempty"`
	Done  DigestResult `json:"done"`
	// The run's shape; zero: the defaults below.
	PageSize  int `json:"page_size,omitempty"`
	BatchSize int `json:"batch_size,omitempty"`
	RunLimit  int `json:"run_limit,omitempty"`
}

// The digest's shape: recipients are listed a page at a time and mailed a
// batch at a time (one activity each, in parallel); after RunLimit
// recipients the run continues as new, so that 200 reps make two runs of
// about 700 events each rather than one history of thousands.
const (
	DigestPageSize  = 50
	DigestBatchSize = 10
	DigestRunLimit  = 100
)

// DigestPlan is the week a digest run reports on, fixed once per digest
// by the worker (which knows CREDITFLOW_DIGEST_TZ and CREDITFLOW_DAY).
type DigestPlan struct {
	// Period names the outbox keys: digest/<period>/<user>.
	Period string    `json:"period"`
	At     time.Time `json:"at"`
	// DecidedFrom: the week's decisions are those from here to At.
	DecidedFrom time.Time `json:"decided_from"`
	// Today and DueUntil (dates) bound the promises falling due this week.
	Today    string `json:"today"`
	DueUntil string `json:"due_until"`
}

// DigestResult counts what a digest did: everyone it went through, the
// digests sent, the people with nothing to report (no email), and those
// whose digest failed for good (logged).
type DigestResult struct {
	Period     string `json:"period"`
	Recipients int    `json:"recipients"`
	Sent       int    `json:"sent"`
	Empty      int    `json:"empty"`
	Failed     int    `json:"failed"`
}

// PlanDigestInput asks for the plan of the digest run at At.
type PlanDigestInput struct {
	At time.Time `json:"at"`
}

// ListDigestRecipientsInput asks for the next page of the people a digest
// is for (sales reps and credit managers), after the email After.
type ListDigestRecipientsInput struct {
	After string `json:"after,omitempty"`
	Limit int    `json:"limit"`
}

// DigestRecipients is a page of recipients; Next is "" on the last page.
type DigestRecipients struct {
	Recipients []DigestRecipient `json:"recipients"`
	Next       string            `json:"next,omitempty"`
}

// DigestRecipient is someone a digest is composed for.
type DigestRecipient struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// SendDigestInput composes and sends one person's digest.
type SendDigestInput struct {
	Plan      DigestPlan      `json:"plan"`
	Recipient DigestRecipient `json:"recipient"`
}

// Outcomes of one person's digest.
const (
	DigestSent  = "sent"
	DigestEmpty = "empty" // nothing to report: no email
)

// DigestOutcome says what became of one person's digest.
type DigestOutcome struct {
	Status string `json:"status"`
}

// DigestKey is the outbox key of a person's digest: one per person per
// period, however often the digest runs.
func DigestKey(period, email string) string { return "digest/" + period + "/" + email }
