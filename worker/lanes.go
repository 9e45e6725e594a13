package worker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/workflows"
)

// Lane is a kind of work with a task queue and worker slots of its own
// (see workflows/lanes.go): what a person waits for, or batch work.
type Lane string

// Creditflow's lanes.
const (
	// Interactive is what a person waits for: credit requests, and the
	// activities that answer Updates (payments, acknowledgements).
	Interactive Lane = "interactive"
	// Batch is the rest: invoices from imports, their reminders, holds
	// and escalations; and credit requests started before the lanes.
	Batch Lane = "batch"
)

// AllLanes is what one worker process serves by default.
var AllLanes = []Lane{Interactive, Batch}

// ParseLanes reads `creditflow worker --lanes`: "all", "interactive",
// "batch" or a comma-separated list of them.
func ParseLanes(s string) ([]Lane, error) {
	var lanes []Lane
	for _, part := range strings.Split(s, ",") {
		switch l := Lane(strings.TrimSpace(part)); l {
		case "all":
			return AllLanes, nil
		case Interactive, Batch:
			if !slices.Contains(lanes, l) {
				lanes = append(lanes, l)
			}
		default:
			return nil, fmt.Errorf("--lanes: want all, interactive, batch or interactive,batch; got %q", s)
		}
	}
	return lanes, nil
}

// TaskQueue is the lane's task queue beside the batch queue taskQueue
// (TEMPORAL_TASK_QUEUE).
func (l Lane) TaskQueue(taskQueue string) string {
	if l == Interactive {
		return workflows.InteractiveTaskQueue(taskQueue)
	}
	return taskQueue
}

// Lanes are the workers of one process, one per lane, each with its own
// slots: a batch that fills its own never takes the interactive lane's.
type Lanes struct {
	workers []sdkworker.Worker
	queues  []string
}

// NewLanes returns a worker per lane beside the batch queue taskQueue.
// Every lane registers every workflow and activity: a credit request
// started on the batch queue before the lanes runs there, and an invoice's
// update sends its activity to the interactive lane.
func NewLanes(c client.Client, taskQueue string, a *activities.Activities, limits Limits, lanes ...Lane) *Lanes {
	g := &Lanes{}
	for _, l := range lanes {
		q := l.TaskQueue(taskQueue)
		g.workers = append(g.workers, New(c, q, a, limits))
		g.queues = append(g.queues, q)
	}
	return g
}

// TaskQueues are the queues the lanes poll.
func (g *Lanes) TaskQueues() []string { return g.queues }

// Start starts every lane's worker; if one fails, those started stop.
func (g *Lanes) Start() error {
	if len(g.workers) == 0 {
		return errors.New("no lane to serve")
	}
	for k, w := range g.workers {
		if err := w.Start(); err != nil {
			for _, started := range g.workers[:k] {
				started.Stop()
			}
			return fmt.Errorf("%s: %w", g.queues[k], err)
		}
	}
	return nil
}

// Stop stops every lane's worker, at once: each lets its running
// activities finish within WorkerStopTimeout, and together they must fit
// in a deploy's grace period.
func (g *Lanes) Stop() {
	var wg sync.WaitGroup
	for _, w := range g.workers {
		wg.Go(w.Stop)
	}
	wg.Wait()
}
