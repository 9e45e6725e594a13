package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/schedules"
	"github.com/creditflow/creditflow/testenv"
)

// TestTheWorkerEnsuresTheSchedulesAtStart: `creditflow worker` creates
// the digest's and the review's schedules on its task queue, in
// CREDITFLOW_DIGEST_TZ, before it takes work.
func TestTheWorkerEnsuresTheSchedulesAtStart(t *testing.T) {
	url, _ := testenv.Database(t)
	c := testenv.Temporal(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("TEMPORAL_ADDRESS", testenv.TemporalAddress(t))
	t.Setenv("TEMPORAL_TASK_QUEUE", "creditflow-worker-schedules-test")
	t.Setenv("CREDITFLOW_DIGEST_TZ", "America/New_York")
	// The dev server is the package's: a schedule another test's
	// process left must not pass for this worker's.
	deleteSchedules := func() {
		for _, id := range []string{schedules.DigestScheduleID, schedules.ReviewScheduleID} {
			_ = c.ScheduleClient().GetHandle(context.Background(), id).Delete(context.Background())
		}
	}
	deleteSchedules()
	t.Cleanup(deleteSchedules)

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		cmd := rootCommand()
		cmd.SetArgs([]string{"worker"})
		done <- cmd.ExecuteContext(ctx)
	}()
	var digest *client.ScheduleDescription
	testenv.Eventually(t, 30*time.Second, "the worker to ensure the digest's schedule", func() bool {
		d, err := c.ScheduleClient().GetHandle(context.Background(), schedules.DigestScheduleID).Describe(context.Background())
		digest = d
		return err == nil
	})
	require.Equal(t, "America/New_York", digest.Schedule.Spec.TimeZoneName)
	require.Equal(t, "creditflow-worker-schedules-test", digest.Schedule.Action.(*client.ScheduleWorkflowAction).TaskQueue)
	_, err := c.ScheduleClient().GetHandle(context.Background(), schedules.ReviewScheduleID).Describe(context.Background())
	require.NoError(t, err)
	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
}
