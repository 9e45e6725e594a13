package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/email"
)

// runHoldChange runs AccountHoldWorkflow with ChangeHold answering changed
// and returns the emails it sent.
func runHoldChange(t *testing.T, changed HoldChanged) []Email {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	registerActivityStubs(env)
	env.OnActivity(ChangeHoldActivity, mock.Anything, mock.Anything).Return(changed, nil)
	var sent []Email
	env.OnActivity(SendEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e Email) (SentEmail, error) {
			sent = append(sent, e)
			return SentEmail{Status: EmailSent}, nil
		})
	env.ExecuteWorkflow(AccountHoldWorkflow, HoldChangeInput{Key: "k", AccountID: "acc_1", By: "analyst@example.com", Reason: "returned debit"})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out HoldChanged
	require.NoError(t, env.GetWorkflowResult(&out))
	require.Equal(t, changed.Changed, out.Changed)
	return sent
}

func TestAHoldThatMovesTheAccountTellsItsRep(t *testing.T) {
	notice := Email{Key: AccountHoldWorkflowID("k") + "/rep", Kind: email.KindCreditHold, To: []string{"rep@example.com"}}
	sent := runHoldChange(t, HoldChanged{Changed: true, Status: "on_hold", Notice: &notice})
	require.Equal(t, []Email{notice}, sent)
}

func TestAHoldThatChangesNothingTellsNobody(t *testing.T) {
	require.Empty(t, runHoldChange(t, HoldChanged{Status: "on_hold"}))
}
