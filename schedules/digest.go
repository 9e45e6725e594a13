package schedules

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/workflows"
)

// DigestScheduleID is the weekly digest's schedule.
const DigestScheduleID = "creditflow-weekly-digest"

// The digest goes out on Mondays at 07:00 in CREDITFLOW_DIGEST_TZ.
const (
	digestWeekday = int(time.Monday)
	digestHour    = 7
)

// EnsureDigest keeps the weekly digest's schedule: Mondays 07:00 in the
// digest's zone, or every 7 policy days when a policy day is shorter
// than 24h (a demo's or a test's compressed week).
func EnsureDigest(ctx context.Context, c client.Client, cfg config.Config) error {
	return ensure(ctx, c, DigestScheduleID, DigestSpec(cfg), &client.ScheduleWorkflowAction{
		ID:        workflows.DigestScheduleWorkflowID,
		Workflow:  workflows.DigestWorkflowName,
		TaskQueue: cfg.TaskQueue,
	})
}

// DigestSpec is when the weekly digest runs.
func DigestSpec(cfg config.Config) client.ScheduleSpec {
	if cfg.Day < 24*time.Hour {
		return every(7 * cfg.Day)
	}
	return at(digestHour, cfg.DigestZone, digestWeekday)
}
