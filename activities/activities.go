// Package activities holds everything Creditflow's workflows do to the
// world: Postgres, SendGrid, scoring. Every activity is idempotent by a key
// built from business ids, so a retry or a replay never writes a row or
// sends an email twice. Each takes one input struct of package workflows,
// where its name is declared; permanent failures carry one of the error
// types declared there.
package activities

import (
	"time"

	"github.com/creditflow/creditflow/email"
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
}
