package workflows

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/email"
)

const day = 24 * time.Hour

type creditRequestSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	start   time.Time
	emails  []sentEmail
	applied []Decision
	closed  []CloseCreditRequestInput
}

type sentEmail struct {
	Kind     string
	Day      int
	To       []string
	Audience string
}

func TestCreditRequestWorkflow(t *testing.T) { suite.Run(t, new(creditRequestSuite)) }

func (s *creditRequestSuite) SetupSuite() {
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
}

func (s *creditRequestSuite) SetupTest() {
	s.newEnvironment()
	s.mockActivities()
}

func (s *creditRequestSuite) newEnvironment() {
	s.env = s.NewTestWorkflowEnvironment()
	registerActivityStubs(s.env)
	s.start = s.env.Now()
	s.emails, s.applied, s.closed = nil, nil, nil
}

// mockActivities installs the fakes; a test may install a more specific
// one first, which wins.
func (s *creditRequestSuite) mockActivities() {
	s.env.OnActivity(SendEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e Email) (SentEmail, error) {
			s.emails = append(s.emails, sentEmail{e.Kind, s.policyDay(), e.To, e.Audience})
			return SentEmail{Status: "sent"}, nil
		})
	s.env.OnActivity(ApplyCreditDecisionActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ApplyDecisionInput) error {
			s.applied = append(s.applied, in.Decision)
			return nil
		})
	s.env.OnActivity(CloseCreditRequestActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, c CloseCreditRequestInput) error {
			s.closed = append(s.closed, c)
			return nil
		})
}

func (s *creditRequestSuite) policyDay() int { return int(s.env.Now().Sub(s.start) / day) }

// scoredAs makes the scorecard answer with outcome.
func (s *creditRequestSuite) scoredAs(outcome string) {
	s.env.OnActivity(ScoreCreditRequestActivity, mock.Anything, mock.Anything).Return(Assessment{
		Score: Score{Points: 70, Band: "B", Reasons: []string{"7 years in business: +30 points"},
			RecommendedLimit: eur("175000"), Outcome: outcome},
		Review:      defaultReview(),
		Day:         day,
		AccountName: "Acme Tools GmbH",
	}, nil)
}

func request(limit string) CreditRequest {
	return CreditRequest{
		ID: "cr_1", Kind: KindPreApproval, Status: StatusScoring, AccountID: "acc_1",
		RequestedLimit: eur(limit), CreatedBy: "rep@example.com",
	}
}

var (
	analyst = Decider{UserID: "u2", Email: "analyst@example.com", Role: RoleCredit}
	manager = Decider{UserID: "u3", Email: "manager@example.com", Role: RoleCreditManager}
	rep     = Decider{UserID: "u1", Email: "rep@example.com", Role: RoleSales}
)

func approve(limit string, by Decider) DecisionInput {
	l := eur(limit)
	return DecisionInput{Outcome: OutcomeApprove, ApprovedLimit: &l, By: by}
}

// updateAt sends an update at a business moment and records the answer.
type updateResult struct {
	rejected error
	err      error
	result   CreditRequest
	done     bool
	at       time.Time // when the answer came
}

func (s *creditRequestSuite) updateAt(after time.Duration, name string, arg any) *updateResult {
	res := &updateResult{}
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { res.rejected, res.done = err, true },
			OnComplete: func(v any, err error) {
				res.err, res.done, res.at = err, true, s.env.Now()
				if r, ok := v.(CreditRequest); ok {
					res.result = r
				}
			},
		}, arg)
	}, after)
	return res
}

func (s *creditRequestSuite) result() CreditRequest {
	s.True(s.env.IsWorkflowCompleted())
	s.NoError(s.env.GetWorkflowError())
	var r CreditRequest
	s.NoError(s.env.GetWorkflowResult(&r))
	return r
}

func (s *creditRequestSuite) kinds() []string {
	var out []string
	for _, e := range s.emails {
		out = append(out, e.Kind)
	}
	return out
}

func (s *creditRequestSuite) TestClearApprovalIsDecidedAtOnce() {
	s.scoredAs(ScoreApprove)
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("20000"))
	r := s.result()
	s.Equal(StatusApproved, r.Status)
	s.Require().Len(s.applied, 1)
	s.True(s.applied[0].Automatic)
	s.True(s.start.Equal(s.applied[0].DecidedAt), "an automatic decision is dated when it is taken: %s", s.applied[0].DecidedAt)
	s.True(s.start.Equal(*r.DecidedAt))
	s.Equal("20000.00", s.applied[0].ApprovedLimit.Amount().String(), "approved as asked")
	s.Equal([]string{"request_decided"}, s.kinds(), "nobody is asked to review a clear case")
	s.Equal([]string{"rep@example.com"}, s.emails[0].To)
	s.Zero(s.policyDay())
}

func (s *creditRequestSuite) TestClearDeclineIsDecidedAtOnce() {
	s.scoredAs(ScoreDecline)
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("20000"))
	r := s.result()
	s.Equal(StatusDeclined, r.Status)
	s.True(s.start.Equal(s.applied[0].DecidedAt), "an automatic decline is dated too")
	s.Nil(s.applied[0].ApprovedLimit)
	s.Contains(s.applied[0].Reason, "band B")
	s.Equal([]string{"request_decided"}, s.kinds())
}

func (s *creditRequestSuite) TestAnalystDecidesThreeDaysLater() {
	s.scoredAs(ScoreReview)
	answer := s.updateAt(3*day, DecisionUpdate, approve("40000", analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Require().True(answer.done)
	s.NoError(answer.err)
	s.Equal(StatusApproved, answer.result.Status, "the update answers with the decided request")
	s.Equal(StatusApproved, r.Status)
	s.Equal("40000.00", s.applied[0].ApprovedLimit.Amount().String(), "an analyst may approve less than asked")
	s.Equal("analyst@example.com", s.applied[0].DecidedBy)
	s.Equal([]sentEmail{
		{"request_received", 0, nil, AudienceCreditTeam},
		{"review_reminder", 2, nil, AudienceCreditTeam},
		{"request_decided", 3, []string{"rep@example.com"}, ""},
	}, s.emails)
}

// TestDecisionIsAnsweredWhileTheCreditTeamsEmailIsStillGoing: SendGrid is
// slow (or down, and the email retried for hours); the analyst's decision
// is answered at once all the same.
func (s *creditRequestSuite) TestDecisionIsAnsweredWhileTheCreditTeamsEmailIsStillGoing() {
	s.newEnvironment()
	s.env.OnActivity(SendEmailActivity, mock.Anything, mock.MatchedBy(func(e Email) bool {
		return e.Kind == email.KindRequestReceived
	})).After(6*time.Hour).Return(SentEmail{Status: "sent"}, nil)
	s.mockActivities()
	s.scoredAs(ScoreReview)
	answer := s.updateAt(time.Hour, DecisionUpdate, approve("40000", analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.Equal(StatusApproved, s.result().Status)
	s.Require().True(answer.done)
	s.Require().NoError(answer.err)
	s.Less(answer.at.Sub(s.start), 2*time.Hour, "answered an hour in, not after the six hours the email took")
}

// TestDecisionArrivingWhileTheScoreIsReadWaitsForIt: the score is stored
// (the inbox shows the request) before the workflow reads it; a decision
// in between waits for the score, then is checked and taken.
func (s *creditRequestSuite) TestDecisionArrivingWhileTheScoreIsReadWaitsForIt() {
	s.newEnvironment()
	s.env.OnActivity(ScoreCreditRequestActivity, mock.Anything, mock.Anything).After(time.Minute).Return(Assessment{
		Score:  Score{Points: 70, Band: "B", RecommendedLimit: eur("175000"), Outcome: ScoreReview},
		Review: defaultReview(), Day: day, AccountName: "Acme Tools GmbH",
	}, nil)
	s.mockActivities()
	answer := s.updateAt(30*time.Second, DecisionUpdate, approve("40000", analyst))
	tooHigh := s.updateAt(40*time.Second, DecisionUpdate, approve("200000", analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("300000"))

	s.Equal(StatusApproved, s.result().Status)
	s.Require().True(answer.done)
	s.Require().NoError(answer.rejected)
	s.Require().NoError(answer.err)
	s.Equal(StatusApproved, answer.result.Status)
	s.Require().True(tooHigh.done)
	s.Require().Error(tooHigh.err, "checked once scored: the first decision was taken")
}

func (s *creditRequestSuite) TestReminderOnDayTwoEscalationOnDayFour() {
	s.scoredAs(ScoreReview)
	s.updateAt(5*day, DecisionUpdate, DecisionInput{Outcome: OutcomeDecline, Reason: "thin file", By: manager})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.Equal(StatusDeclined, s.result().Status)
	s.Equal([]sentEmail{
		{"request_received", 0, nil, AudienceCreditTeam},
		{"review_reminder", 2, nil, AudienceCreditTeam},
		{"review_escalation", 4, nil, AudienceCreditManagers},
		{"request_decided", 5, []string{"rep@example.com"}, ""},
	}, s.emails)
}

func (s *creditRequestSuite) TestUndecidedRequestExpiresAfterThirtyDays() {
	s.scoredAs(ScoreReview)
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.Equal(StatusExpired, s.result().Status)
	s.Empty(s.applied)
	s.Require().Len(s.closed, 1)
	s.Equal(StatusExpired, s.closed[0].Status)
	s.Equal(30, s.policyDay())
	s.Equal([]string{"request_received", "review_reminder", "review_escalation", "request_decided"}, s.kinds())
}

func (s *creditRequestSuite) TestRepWithdrawsWhileWaiting() {
	s.scoredAs(ScoreReview)
	answer := s.updateAt(day, WithdrawUpdate, WithdrawInput{Reason: "deal lost", By: rep})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.Equal(StatusWithdrawn, s.result().Status)
	s.NoError(answer.err)
	s.Require().Len(s.closed, 1)
	s.Equal("rep@example.com", s.closed[0].By)
	s.Equal([]string{"request_received"}, s.kinds(), "no reminder after the withdrawal, no outcome email to the rep who withdrew")
}

func (s *creditRequestSuite) TestSecondDecisionIsRefused() {
	s.scoredAs(ScoreReview)
	first := s.updateAt(day, DecisionUpdate, approve("50000", analyst))
	// Both arrive at the same moment, in one workflow task.
	second := s.updateAt(day, DecisionUpdate, DecisionInput{Outcome: OutcomeDecline, Reason: "no", By: manager})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.Equal(StatusApproved, s.result().Status)
	s.NoError(first.err)
	s.Require().True(second.done, "the second decision gets an answer")
	requireErrorType(s.T(), ErrTypeConflict, second.rejected, second.err)
	s.Len(s.applied, 1)
}

func (s *creditRequestSuite) TestDecisionAboveTheDecidersLimitIsRefused() {
	s.scoredAs(ScoreReview)
	limit := int64(50000)
	junior := analyst
	junior.ApprovalLimit = &limit
	tooHigh := s.updateAt(day, DecisionUpdate, approve("60000", junior))
	defaultLimit := s.updateAt(day+time.Hour, DecisionUpdate, approve("150000", analyst))
	s.updateAt(2*day+time.Hour, DecisionUpdate, approve("150000", manager))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("150000"))

	requireErrorType(s.T(), ErrTypeForbidden, tooHigh.rejected, tooHigh.err)
	requireErrorType(s.T(), ErrTypeForbidden, defaultLimit.rejected, defaultLimit.err)
	s.Equal(StatusApproved, s.result().Status, "a credit manager has no approval limit")
	s.Equal("manager@example.com", s.applied[0].DecidedBy)
}

func (s *creditRequestSuite) TestRequesterCannotDecideTheirOwnRequest() {
	s.scoredAs(ScoreReview)
	self := manager
	self.Email = "REP@example.com" // the same person, whatever the case
	own := s.updateAt(day, DecisionUpdate, approve("50000", self))
	s.updateAt(2*day+time.Hour, DecisionUpdate, approve("50000", manager))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	requireErrorType(s.T(), ErrTypeForbidden, own.rejected, own.err)
	s.Equal(StatusApproved, s.result().Status)
}

func requireErrorType(t *testing.T, want string, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err == nil {
			continue
		}
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		require.Equal(t, want, appErr.Type(), appErr.Error())
		return
	}
	t.Fatalf("want a %s error, got none", want)
}

func (s *creditRequestSuite) TestDecisionAtTheMomentOfExpiryIsEitherTakenOrRefused() {
	s.scoredAs(ScoreReview)
	answer := s.updateAt(30*day, DecisionUpdate, approve("50000", analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Require().True(answer.done, "the decision gets an answer")
	if answer.rejected != nil || answer.err != nil {
		requireErrorType(s.T(), ErrTypeConflict, answer.rejected, answer.err)
		s.Equal(StatusExpired, r.Status)
		s.Nil(r.Decision)
		s.Empty(s.applied)
	} else {
		s.Equal(StatusApproved, r.Status)
		s.Empty(s.closed)
	}
}
