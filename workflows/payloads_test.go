package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/creditflow/creditflow/workflows"
)

// TestPayloadTypesDecodeEveryRecordedHistory decodes every payload of the
// recorded histories into the workflows' payload types: the inputs and
// results of workflows, activities, children and updates. Replay decodes
// only what the workflow code reads back; an activity's input is read by
// a worker that may run after a deploy, so it must decode too.
func TestPayloadTypesDecodeEveryRecordedHistory(t *testing.T) {
	var str string
	var tm json.RawMessage // an instant
	workflowIO := map[string][2]any{
		"CreditRequestWorkflow":  {workflows.CreditRequest{}, workflows.CreditRequest{}},
		"InvoiceWorkflow":        {workflows.InvoiceInput{}, workflows.Invoice{}},
		"EscalationWorkflow":     {workflows.EscalationInput{}, workflows.EscalationResult{}},
		"ReplyWorkflow":          {workflows.ReplyInput{}, workflows.ReplyResult{}},
		"ContactMissingWorkflow": {workflows.ContactMissingInput{}, nil},
		"SignInEmailWorkflow":    {workflows.SignInEmailInput{}, nil}, // no result
		"DigestWorkflow":         {workflows.DigestInput{}, workflows.DigestResult{}},
		"ComplaintWorkflow":      {workflows.Complaint{}, nil}, // no result
		"CustomerDayWorkflow":    {workflows.CustomerDayInput{}, nil},
	}
	workflowIO[workflows.PeriodicReviewWorkflowName] = [2]any{workflows.PeriodicReviewInput{}, workflows.PeriodicReviewProgress{}}
	activityInputs := map[string][]any{ // the first names took positional arguments
		"ApplyDecision":         {str, workflows.Decision{}},
		"RecordPayment":         {str, workflows.Payment{}},
		"OpenDispute":           {workflows.Dispute{}, str},
		"ResolveDispute":        {workflows.DisputeResolution{}, tm},
		"RecordPromise":         {str, str, workflows.PromiseToPay{}},
		"SettlePromise":         {str, str},
		"WriteOffInvoice":       {str, workflows.WriteOff{}},
		"OpenEscalation":        {workflows.Escalation{}, str},
		"MarkEscalationOverdue": {str},
		"CloseEscalation":       {str},
		"AcknowledgeEscalation": {str, workflows.Acknowledgement{}, tm},
	}
	for name, in := range workflows.ActivityInputs {
		activityInputs[name] = []any{in}
	}
	activityResults := map[string]any{
		"ScoreCreditRequest": workflows.Assessment{}, "SendEmail": workflows.SentEmail{}, "SendInvoiceEmail": workflows.SentEmail{},
		"PlaceCreditHold": false, "RecordPayment": workflows.Settlement{}, "ResolveDispute": workflows.Settlement{},
		"WriteOffInvoice": workflows.Settlement{}, "OpenEscalation": workflows.Escalation{}, "AcknowledgeEscalation": workflows.Escalation{},
		"RecordInvoicePayment": workflows.Settlement{}, "RecordDisputeResolution": workflows.Settlement{}, "RecordWriteOff": workflows.Settlement{},
		"RecordEscalation": workflows.Escalation{}, "RecordAcknowledgement": workflows.Escalation{},
		"StartDunning": workflows.DunningPlan{}, "RecordComplaint": workflows.ComplaintOpened{},
		"OpenReply": workflows.ReplyOpened{}, "PauseForReply": []string{},
		"PlanDigest": workflows.DigestPlan{}, "ListDigestRecipients": workflows.DigestRecipients{}, "SendDigest": workflows.DigestOutcome{},
		"ComposeCustomerEmail": workflows.CustomerEmailDraft{}, "SendCustomerEmail": workflows.SentEmail{},
	}
	signals := map[string]any{workflows.CustomerStepSignal: workflows.CustomerStep{}}
	for name, result := range map[string]any{
		workflows.ListDueReviewsActivity: workflows.DueReviews{}, workflows.StartPeriodicReviewsActivity: workflows.StartedReviews{},
		workflows.ScorePeriodicReviewActivity: workflows.Assessment{}, workflows.ApplyReviewDecisionActivity: workflows.ReviewApplied{},
	} {
		activityResults[name] = result
	}
	updates := map[string][2]any{
		workflows.DecisionUpdate:       {workflows.DecisionInput{}, workflows.CreditRequest{}},
		workflows.WithdrawUpdate:       {workflows.WithdrawInput{}, workflows.CreditRequest{}},
		workflows.PaymentUpdate:        {workflows.Payment{}, workflows.Invoice{}},
		workflows.DisputeUpdate:        {workflows.DisputeInput{}, workflows.Dispute{}},
		workflows.ResolveDisputeUpdate: {workflows.DisputeResolution{}, workflows.Dispute{}},
		workflows.PromiseUpdate:        {workflows.PromiseToPay{}, workflows.Invoice{}},
		workflows.WriteOffUpdate:       {workflows.WriteOff{}, workflows.Invoice{}},
		workflows.AcknowledgeUpdate:    {workflows.Acknowledgement{}, workflows.Escalation{}},
		workflows.ReadReplyUpdate:      {workflows.ReadReply{}, nil},
		workflows.ReplyPauseUpdate:     {workflows.ReplyPause{}, workflows.Invoice{}},
		workflows.ReplyReadUpdate:      {workflows.ReplyRead{}, workflows.Invoice{}},
		workflows.ConditionUpdate:      {workflows.ConditionInput{}, workflows.CreditRequest{}},
	}

	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	decoded := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		var h historypb.History
		require.NoError(t, protojson.Unmarshal(b, &h))
		decode := func(where string, p *commonpb.Payloads, types ...any) {
			t.Helper()
			for i, payload := range p.GetPayloads() {
				if i >= len(types) || types[i] == nil { // nil: no value (an update answering only an error)
					break
				}
				v := reflect.New(reflect.TypeOf(types[i])).Interface()
				require.NoError(t, json.Unmarshal(payload.GetData(), v), "%s: %s: %s", file, where, payload.GetData())
				decoded++
			}
		}
		wf := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()
		activities := map[int64]string{}
		updateNames := map[string]string{}
		for _, e := range h.Events {
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
				decode("workflow input", e.GetWorkflowExecutionStartedEventAttributes().GetInput(), workflowIO[wf][0])
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
				decode("workflow result", e.GetWorkflowExecutionCompletedEventAttributes().GetResult(), workflowIO[wf][1])
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				a := e.GetActivityTaskScheduledEventAttributes()
				name := a.GetActivityType().GetName()
				activities[e.GetEventId()] = name
				require.Contains(t, activityInputs, name, "%s: an activity nobody registers", file)
				decode(name+" input", a.GetInput(), activityInputs[name]...)
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
				a := e.GetActivityTaskCompletedEventAttributes()
				if r, ok := activityResults[activities[a.GetScheduledEventId()]]; ok {
					decode(activities[a.GetScheduledEventId()]+" result", a.GetResult(), r)
				}
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				if r := e.GetMarkerRecordedEventAttributes().GetDetails()["result"]; r != nil {
					decode("local activity result", r, workflows.DunningPlan{})
				}
			case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
				decode("child input", e.GetStartChildWorkflowExecutionInitiatedEventAttributes().GetInput(), workflows.EscalationInput{})
			case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
				decode("child result", e.GetChildWorkflowExecutionCompletedEventAttributes().GetResult(), workflows.EscalationResult{})
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				a := e.GetWorkflowExecutionSignaledEventAttributes()
				require.Contains(t, signals, a.GetSignalName(), "%s: a signal nobody handles", file)
				decode(a.GetSignalName()+" signal", a.GetInput(), signals[a.GetSignalName()])
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes()
				in := a.GetAcceptedRequest().GetInput()
				updateNames[a.GetProtocolInstanceId()] = in.GetName()
				require.Contains(t, updates, in.GetName(), file)
				decode(in.GetName()+" argument", in.GetArgs(), updates[in.GetName()][0])
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
				a := e.GetWorkflowExecutionUpdateCompletedEventAttributes()
				name := updateNames[a.GetMeta().GetUpdateId()]
				if ok := a.GetOutcome().GetSuccess(); ok != nil {
					decode(name+" result", ok, updates[name][1])
				}
			}
		}
	}
	require.Greater(t, decoded, 100, "the histories hold payloads")
}

// Money recorded before workflows had types of their own keeps its value.
func TestRecordedMoneyKeepsItsValue(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "credit_request_automatic_approval.json"))
	require.NoError(t, err)
	var h historypb.History
	require.NoError(t, protojson.Unmarshal(b, &h))
	var r workflows.CreditRequest
	require.NoError(t, json.Unmarshal(h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()[0].GetData(), &r))
	require.Equal(t, workflows.Money{Minor: 2000000, Currency: "EUR"}, r.RequestedLimit)
	require.Equal(t, workflows.Money{Minor: 250000000, Currency: "EUR"}, r.Prospect.AnnualRevenue)
}
