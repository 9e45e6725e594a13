package schedules

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/workflows"
)

// ReviewScheduleID is the daily periodic credit review's schedule.
const ReviewScheduleID = "creditflow-periodic-review"

// The review runs daily at 07:00 in CREDITFLOW_DIGEST_TZ.
const reviewHour = 7

// EnsureReview keeps the periodic review's schedule: daily at 07:00 in the
// digest's zone, or every policy day when a policy day is shorter than 24h.
func EnsureReview(ctx context.Context, c client.Client, cfg config.Config) error {
	return ensure(ctx, c, ReviewScheduleID, ReviewSpec(cfg), &client.ScheduleWorkflowAction{
		ID:        "periodic-review",
		Workflow:  workflows.PeriodicReviewWorkflowName,
		Args:      []any{workflows.PeriodicReviewInput{}},
		TaskQueue: cfg.TaskQueue,
	})
}

// ReviewSpec is when the periodic review runs.
func ReviewSpec(cfg config.Config) client.ScheduleSpec {
	if cfg.Day < 24*time.Hour {
		return every(cfg.Day)
	}
	return at(reviewHour, cfg.DigestZone)
}
