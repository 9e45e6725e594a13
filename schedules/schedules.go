// Package schedules keeps Creditflow's Temporal Schedules as the
// configuration says: the weekly digest and the daily periodic review.
// Every worker ensures them at start, so a deploy that changes
// CREDITFLOW_DIGEST_TZ or CREDITFLOW_DAY changes them, and several workers
// starting together leave one of each.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/config"
)

// Ensure creates or updates every schedule Creditflow runs.
func Ensure(ctx context.Context, c client.Client, cfg config.Config) error {
	if err := EnsureDigest(ctx, c, cfg); err != nil {
		return err
	}
	return EnsureReview(ctx, c, cfg)
}

// catchupWindow: a schedule due while Temporal was down fires when it is
// back within a day; a digest a week late is no digest.
const catchupWindow = 24 * time.Hour

// at is a calendar time of day, in a zone, on the days given (none:
// every day).
func at(hour int, zone *time.Location, days ...int) client.ScheduleSpec {
	cal := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}},
		Minute: []client.ScheduleRange{{Start: 0}},
		Hour:   []client.ScheduleRange{{Start: hour}},
	}
	for _, d := range days {
		cal.DayOfWeek = append(cal.DayOfWeek, client.ScheduleRange{Start: d})
	}
	name := "UTC"
	if zone != nil {
		name = zone.String()
	}
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{cal}, TimeZoneName: name}
}

// every is an interval from the Unix epoch: with a compressed policy day
// the calendar means nothing.
func every(d time.Duration) client.ScheduleSpec {
	return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: d}}}
}

// ensure creates the schedule, or brings an existing one to spec and
// action. Workers starting together race: the loser of the create finds
// the winner's schedule and updates it to the same thing (or leaves it,
// when it is already so). The schedule's state (paused by an operator,
// with a note) is kept.
func ensure(ctx context.Context, c client.Client, id string, spec client.ScheduleSpec, action *client.ScheduleWorkflowAction) error {
	for attempt := 1; ; attempt++ {
		_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID: id, Spec: spec, Action: action,
			Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
			CatchupWindow: catchupWindow,
		})
		if err == nil {
			return nil
		}
		if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("create schedule %s: %w", id, err)
		}
		err = c.ScheduleClient().GetHandle(ctx, id).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				have := in.Description.Schedule
				if sameSchedule(have, spec, action) {
					return nil, temporal.ErrSkipScheduleUpdate
				}
				policies := &client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: catchupWindow}
				if have.Policy != nil {
					policies.PauseOnFailure = have.Policy.PauseOnFailure
				}
				return &client.ScheduleUpdate{Schedule: &client.Schedule{Action: action, Spec: &spec, Policy: policies, State: have.State}}, nil
			},
		})
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) && attempt < 3 {
			continue // deleted between our create and our update: create it
		}
		if err != nil {
			return fmt.Errorf("update schedule %s: %w", id, err)
		}
		return nil
	}
}

// sameSchedule compares what ensure sets: when, what it starts, where,
// and the overlap policy.
func sameSchedule(have client.Schedule, spec client.ScheduleSpec, action *client.ScheduleWorkflowAction) bool {
	a, ok := have.Action.(*client.ScheduleWorkflowAction)
	if !ok || have.Spec == nil || have.Policy == nil {
		return false
	}
	if name, _ := a.Workflow.(string); name != action.Workflow || a.TaskQueue != action.TaskQueue || a.ID != action.ID {
		return false
	}
	if have.Policy.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
		return false
	}
	return sameSpec(*have.Spec, spec)
}

func sameSpec(have, want client.ScheduleSpec) bool {
	if len(have.Intervals) != len(want.Intervals) || len(have.Calendars) != len(want.Calendars) {
		return false
	}
	for i := range want.Intervals {
		if have.Intervals[i] != want.Intervals[i] {
			return false
		}
	}
	if len(want.Calendars) == 0 {
		return true
	}
	if have.TimeZoneName != want.TimeZoneName {
		return false
	}
	for i, w := range want.Calendars {
		h := have.Calendars[i]
		if !sameRanges(h.Second, w.Second) || !sameRanges(h.Minute, w.Minute) || !sameRanges(h.Hour, w.Hour) ||
			!sameRanges(h.DayOfWeek, w.DayOfWeek) {
			return false
		}
	}
	return true
}

// sameRanges compares calendar ranges as the server keeps them: an end
// before the start is the start, a step of 0 is 1, and no range at all is
// every day of the week.
func sameRanges(have, want []client.ScheduleRange) bool {
	norm := func(rs []client.ScheduleRange) []client.ScheduleRange {
		out := make([]client.ScheduleRange, len(rs))
		for i, r := range rs {
			r.End = max(r.End, r.Start)
			r.Step = max(r.Step, 1)
			out[i] = r
		}
		return out
	}
	if len(want) == 0 {
		want = []client.ScheduleRange{{Start: 0, End: 6}}
	}
	if len(have) == 0 {
		have = []client.ScheduleRange{{Start: 0, End: 6}}
	}
	h, w := norm(have), norm(want)
	if len(h) != len(w) {
		return false
	}
	for i := range w {
		if h[i] != w[i] {
			return false
		}
	}
	return true
}
