package schedules_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/schedules"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// The schedules' ids are fixed, so these tests run one after another on
// the package's dev server and delete what they created.
func TestMain(m *testing.M) { testenv.Main(m) }

func configFor(t *testing.T, taskQueue string, day time.Duration, zone string) config.Config {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	return config.Config{TaskQueue: taskQueue, Day: day, DigestZone: loc}
}

func deleteSchedules(t *testing.T, c client.Client) {
	t.Cleanup(func() {
		for _, id := range []string{schedules.DigestScheduleID, schedules.ReviewScheduleID} {
			_ = c.ScheduleClient().GetHandle(context.Background(), id).Delete(context.Background())
		}
	})
}

func describe(t *testing.T, c client.Client, id string) *client.ScheduleDescription {
	t.Helper()
	d, err := c.ScheduleClient().GetHandle(context.Background(), id).Describe(context.Background())
	require.NoError(t, err)
	return d
}

// TestWorkersStartingTogetherLeaveOneScheduleEach: four workers ensure
// the schedules at once; all succeed (the losers of the create update, or
// leave, the winner's), and there is one schedule of each id, as asked.
// Ensured again unchanged, a schedule is not touched.
func TestWorkersStartingTogetherLeaveOneScheduleEach(t *testing.T) {
	c := testenv.Temporal(t)
	deleteSchedules(t, c)
	cfg := configFor(t, "creditflow-schedules-test", 24*time.Hour, "UTC")

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = schedules.Ensure(context.Background(), c, cfg)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	digest := describe(t, c, schedules.DigestScheduleID)
	action := digest.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.Equal(t, workflows.DigestWorkflowName, action.Workflow)
	require.Equal(t, cfg.TaskQueue, action.TaskQueue)
	require.Equal(t, "UTC", digest.Schedule.Spec.TimeZoneName)
	for _, next := range digest.Info.NextActionTimes {
		require.Equal(t, time.Monday, next.UTC().Weekday(), next)
		require.Equal(t, "07:00:00", next.UTC().Format(time.TimeOnly), next)
	}
	require.NotEmpty(t, digest.Info.NextActionTimes)

	review := describe(t, c, schedules.ReviewScheduleID)
	require.Equal(t, workflows.PeriodicReviewWorkflowName, review.Schedule.Action.(*client.ScheduleWorkflowAction).Workflow)
	next := review.Info.NextActionTimes
	require.GreaterOrEqual(t, len(next), 2)
	require.Equal(t, 24*time.Hour, next[1].Sub(next[0]), "daily")
	require.Equal(t, "07:00:00", next[0].UTC().Format(time.TimeOnly))

	// Each listed once.
	iter, err := c.ScheduleClient().List(context.Background(), client.ScheduleListOptions{})
	require.NoError(t, err)
	seen := map[string]int{}
	for iter.HasNext() {
		s, err := iter.Next()
		require.NoError(t, err)
		seen[s.ID]++
	}
	require.LessOrEqual(t, seen[schedules.DigestScheduleID], 1)

	updated := digest.Info.LastUpdateAt
	require.NoError(t, schedules.Ensure(context.Background(), c, cfg))
	require.Equal(t, updated, describe(t, c, schedules.DigestScheduleID).Info.LastUpdateAt, "unchanged: not updated")
}

// TestANewZoneOrDayLengthUpdatesTheSchedules: a deploy with another
// CREDITFLOW_DIGEST_TZ moves Monday 07:00 to that zone; a compressed day
// turns the week into 7 policy days.
func TestANewZoneOrDayLengthUpdatesTheSchedules(t *testing.T) {
	c := testenv.Temporal(t)
	deleteSchedules(t, c)
	require.NoError(t, schedules.Ensure(context.Background(), c, configFor(t, "creditflow-schedules-test", 24*time.Hour, "UTC")))

	berlin := configFor(t, "creditflow-schedules-test", 24*time.Hour, "Europe/Berlin")
	require.NoError(t, schedules.Ensure(context.Background(), c, berlin))
	digest := describe(t, c, schedules.DigestScheduleID)
	require.Equal(t, "Europe/Berlin", digest.Schedule.Spec.TimeZoneName)
	require.NotEmpty(t, digest.Info.NextActionTimes)
	for _, next := range digest.Info.NextActionTimes {
		local := next.In(berlin.DigestZone)
		require.Equal(t, time.Monday, local.Weekday(), local)
		require.Equal(t, "07:00:00", local.Format(time.TimeOnly), local)
		require.NotEqual(t, "07:00:00", next.UTC().Format(time.TimeOnly), "07:00 in Berlin is not 07:00 UTC")
	}
	require.Equal(t, "Europe/Berlin", describe(t, c, schedules.ReviewScheduleID).Schedule.Spec.TimeZoneName)

	compressed := configFor(t, "creditflow-schedules-test", 2*time.Second, "Europe/Berlin")
	require.NoError(t, schedules.Ensure(context.Background(), c, compressed))
	digest = describe(t, c, schedules.DigestScheduleID)
	require.Empty(t, digest.Schedule.Spec.Calendars)
	require.Equal(t, []client.ScheduleIntervalSpec{{Every: 14 * time.Second}}, digest.Schedule.Spec.Intervals, "7 policy days")
	require.Equal(t, []client.ScheduleIntervalSpec{{Every: 2 * time.Second}}, describe(t, c, schedules.ReviewScheduleID).Schedule.Spec.Intervals)
}

// TestTheDigestScheduleFiresByItself is the "done when": with
// CREDITFLOW_DAY=1s, a rep with an account on hold receives a digest
// without anyone calling an endpoint.
func TestTheDigestScheduleFiresByItself(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	deleteSchedules(t, svc.Temporal)
	testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Scheduled Holdings", 40)

	// The digest's schedule as the worker ensures it.
	require.NoError(t, schedules.EnsureDigest(context.Background(), svc.Temporal, configFor(t, svc.TaskQueue, time.Second, "UTC")))
	var got []testenv.SentMail
	testenv.Eventually(t, 45*time.Second, "the scheduled digest to reach the rep", func() bool {
		got = nil
		for _, m := range svc.SendGrid.OfKind(email.KindWeeklyDigest) {
			if strings.Join(m.To(), ",") == testenv.Rep {
				got = append(got, m)
			}
		}
		return len(got) > 0
	})
	require.Contains(t, got[0].Text(), "Scheduled Holdings")
	require.Regexp(t, `^digest/1s-week-\d+/`+testenv.Rep+`$`, got[0].CustomArgs["email_key"])

	recent := describe(t, svc.Temporal, schedules.DigestScheduleID).Info.RecentActions
	require.NotEmpty(t, recent)
	require.True(t, strings.HasPrefix(recent[0].StartWorkflowResult.WorkflowID, workflows.DigestScheduleWorkflowID+"-"),
		"the schedule names its runs: %s", recent[0].StartWorkflowResult.WorkflowID)
}

// The review's schedule starts a periodic review the worker runs to its
// end, every policy day.
func TestThePeriodicReviewScheduleFiresByItself(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	deleteSchedules(t, svc.Temporal)
	require.NoError(t, schedules.EnsureReview(context.Background(), svc.Temporal, configFor(t, svc.TaskQueue, time.Second, "UTC")))
	testenv.Eventually(t, 45*time.Second, "a scheduled review to complete", func() bool {
		for _, a := range describe(t, svc.Temporal, schedules.ReviewScheduleID).Info.RecentActions {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			run := svc.Temporal.GetWorkflow(ctx, a.StartWorkflowResult.WorkflowID, a.StartWorkflowResult.FirstExecutionRunID)
			var progress workflows.PeriodicReviewProgress
			err := run.Get(ctx, &progress)
			cancel()
			if err == nil {
				return true
			}
		}
		return false
	})
}
