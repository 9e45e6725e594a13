// Package activities holds everything Creditflow's workflows do to the
// world: Postgres, SendGrid, scoring. Every activity is idempotent by a key
// built from business ids, so a retry or a replay never writes a row or
// sends an email twice. Each takes one input struct of package workflows,
// where its name is declared; permanent failures carry one of the error
// types declared there.
package activities

import (
	"time"

	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
)

// Activities holds the dependencies of every activity; the worker
// registers them with one call.
type Activities struct {
	Store  *store.Store
	Policy policy.Policy
	// Day is the length of one policy day (CREDITFLOW_DAY).
	Day time.Duration
	// Mail sends email; nil renders into the outbox and logs only.
	Mail       email.Sender
	From       string
	CreditTeam string
	// Temporal and TaskQueue start the workflows an activity starts (the
	// periodic reviews), and send the updates a customer's reply asks for
	// to the account's invoices.
	Temporal  client.Client
	TaskQueue string
	// Replies gives customer emails a reply-to address Inbound Parse
	// brings back (nil: CREDITFLOW_INBOUND_* unset, no reply-to).
	Replies *email.ReplyAddresses
	// Links builds the credit desk's links that emails to people who must
	// act carry, and signs sign-in links; nil: emails carry no links (and
	// no sign-in email can be sent).
	Links *links.Links
	// DigestZone is the weekly digest's time zone (CREDITFLOW_DIGEST_TZ);
	// nil: UTC.
	DigestZone *time.Location
}
