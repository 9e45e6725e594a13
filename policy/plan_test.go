package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPromptPayerPlanHasOneReminderOnDay31(t *testing.T) {
	issued, due := ParseDate("2025-01-01"), ParseDate("2025-01-31")
	now := time.Date(2025, 1, 1, 14, 0, 0, 0, time.UTC)
	plan := Default().Dunning.Plan(SegmentPrompt, issued, due, now, time.UTC, 24*time.Hour)
	require.Equal(t, 30, plan.DueDay)
	require.Len(t, plan.Steps, 3)
	reminder := plan.Steps[0]
	require.Equal(t, "reminder", reminder.Label)
	require.Equal(t, time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC), reminder.At, "day 31 at 09:00")
	require.Equal(t, "credit_hold", plan.Steps[2].Label)
	require.Equal(t, now.Add(40*24*time.Hour), plan.Steps[1].At, "the escalation is not a customer email: at the policy instant")
}

func TestStandardPlanLabelsTheSecondReminderAndSendsAtNineLocal(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	issued, due := ParseDate("2025-01-01"), ParseDate("2025-01-31")
	plan := Default().Dunning.Plan(SegmentStandard, issued, due, time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC), berlin, 24*time.Hour)
	var labels []string
	for _, s := range plan.Steps {
		labels = append(labels, s.Label)
	}
	require.Equal(t, []string{"courtesy_notice", "reminder", "second_reminder", "escalate", "credit_hold", "final_notice"}, labels)
	require.Equal(t, time.Date(2025, 1, 28, 9, 0, 0, 0, berlin), plan.Steps[0].At, "courtesy notice 3 days before, 09:00 in Berlin")
}

func TestLateImportedInvoiceStartsItsClockOnItsIssueDate(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	issued := now.AddDate(0, 0, -40).Truncate(24 * time.Hour)
	plan := Default().Dunning.Plan(SegmentStandard, issued, issued.AddDate(0, 0, 30), now, time.UTC, 2*time.Second)
	require.Equal(t, now.Add(-80*time.Second), plan.Clock.DayZero, "40 days old on a 2s day: 80 seconds old")
	require.Equal(t, 40, plan.Clock.DayAt(now))
}
