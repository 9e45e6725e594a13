package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"
)

// People first. Work that a person waits for (a credit request scored and
// decided, the answer to a payment or an acknowledgement) runs in the
// interactive lane: a task queue of its own beside the batch queue, so
// that an ERP import's thousands of invoice tasks queue up where a sales
// rep's request never stands behind them. Temporal matches each task
// queue on its own, and each lane's worker has its own slots.
//
// Credit requests are started on the interactive queue. Invoices and
// escalations (imports, reminders, holds) stay on the batch queue; the
// activity an Update waits for is sent to the interactive queue instead.
// A running workflow keeps the queue it was started on: credit requests
// started before the lanes existed go on running on the batch queue
// (which every worker that serves batch polls), and their activities
// move to the interactive queue with this code.
//
// Replay does not compare an activity's task queue with the one in the
// history (only its id and type), so moving an activity between lanes
// needs no workflow.GetVersion: old histories replay as they are.

const interactiveSuffix = "-interactive"

// InteractiveTaskQueue is the interactive lane's task queue beside the
// batch queue taskQueue (TEMPORAL_TASK_QUEUE): "creditflow" gives
// "creditflow-interactive". Given the interactive queue, it answers it.
func InteractiveTaskQueue(taskQueue string) string {
	if strings.HasSuffix(taskQueue, interactiveSuffix) {
		return taskQueue
	}
	return taskQueue + interactiveSuffix
}

// inLane sends the activities scheduled with ctx to the interactive lane
// of the workflow's own task queue.
func inLane(ctx workflow.Context) workflow.Context {
	opts := workflow.GetActivityOptions(ctx)
	opts.TaskQueue = InteractiveTaskQueue(workflow.GetInfo(ctx).TaskQueueName)
	return workflow.WithActivityOptions(ctx, opts)
}
