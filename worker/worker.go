// Package worker builds the Temporal worker that runs Creditflow's
// workflows and activities.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/workflows"
)

// Limits size a worker's concurrency to its Postgres pool. Zero values
// keep the SDK's defaults (1,000 of each), as tests do.
type Limits struct {
	// Activities is CREDITFLOW_WORKER_ACTIVITIES. It may exceed the pool:
	// an activity holds a connection only for its queries, never while
	// SendGrid answers, and one waiting for a connection waits in the
	// pool's queue within its own timeout.
	Activities int
	// LocalActivities run a few quick queries inside a workflow task (an
	// invoice's dunning plan). They are all Postgres work, so more of them
	// than connections only queues; half the pool leaves the rest to
	// activities and the API when an ERP import starts a thousand invoices.
	LocalActivities int
}

// LimitsFor sizes a worker to a pool of poolSize connections.
func LimitsFor(activities, poolSize int) Limits {
	return Limits{Activities: activities, LocalActivities: max(1, poolSize/2)}
}

// New returns a worker on taskQueue with every workflow and activity
// registered.
func New(c client.Client, taskQueue string, a *activities.Activities, limits Limits) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		MaxConcurrentActivityExecutionSize:      limits.Activities,
		MaxConcurrentLocalActivityExecutionSize: limits.LocalActivities,
		// On a deploy's SIGTERM, let running activities (an email being
		// sent) finish rather than wait out their timeout on another
		// worker; under Docker's default 10-second grace period.
		WorkerStopTimeout: 8 * time.Second,
		Interceptors:      []interceptor.WorkerInterceptor{&activities.PermanentErrors{}},
	})
	RegisterWorkflows(w)
	w.RegisterActivity(a)
	return w
}

// RegisterWorkflows adds Creditflow's workflows to a worker or a replayer,
// under the names running workflows were started with.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(any, workflow.RegisterOptions)
}) {
	for _, wf := range workflows.All() {
		r.RegisterWorkflowWithOptions(wf.Func, workflow.RegisterOptions{Name: wf.Name})
	}
}
