package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/email"
)

// runComplaint runs ComplaintWorkflow with RecordComplaint answering
// opened and returns the emails it sent.
func runComplaint(t *testing.T, in Complaint, opened ComplaintOpened) []Email {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	registerActivityStubs(env)
	var recorded []Complaint
	env.OnActivity(RecordComplaintActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, c Complaint) (ComplaintOpened, error) {
			recorded = append(recorded, c)
			return opened, nil
		})
	var sent []Email
	env.OnActivity(SendEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e Email) (SentEmail, error) {
			sent = append(sent, e)
			return SentEmail{Status: EmailSent}, nil
		})
	env.ExecuteWorkflow(ComplaintWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []Complaint{in}, recorded, "the complaint is recorded once")
	return sent
}

func TestAComplaintWithoutAnInvoiceTellsItsOwner(t *testing.T) {
	notice := Email{Key: ComplaintWorkflowID("cmp_1") + "/owner", Kind: email.KindComplaintOpened, To: []string{"owner@example.com"}}
	sent := runComplaint(t, Complaint{ID: "cmp_1", AccountID: "acc_1", Subject: "late delivery", OwnerEmail: "owner@example.com"},
		ComplaintOpened{Notice: &notice})
	require.Equal(t, []Email{notice}, sent)
}

func TestAComplaintAboutAnInvoiceLeavesTheEmailToItsDispute(t *testing.T) {
	require.Empty(t, runComplaint(t, Complaint{ID: "cmp_2", AccountID: "acc_1", InvoiceID: "inv_1", DisputeID: "dsp_1"}, ComplaintOpened{}))
}
