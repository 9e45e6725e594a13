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

// New returns a worker on taskQueue with every workflow and activity
// registered.
func New(c client.Client, taskQueue string, a *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
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
