// Package faults holds Creditflow's fault suite: the service run against a
// real Temporal dev server, Postgres and the fake SendGrid while they fail
// (the worker or the API killed with -9, Temporal frozen and restarted,
// Postgres dropping its connections, SendGrid refusing or failing), each
// test ending with the same audit: nothing lost, nothing sent twice, no
// row without its workflow.
//
// The suite runs short with `go test` (as CI does) and long with
// CREDITFLOW_FAULTS=long.
package faults
