package workflows_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/creditflow/creditflow/worker"
	"github.com/creditflow/creditflow/workflows"
)

// TestReplayRecordedHistories replays every history recorded from a real
// server (testdata/*.json) against the current workflow code: a change
// that would break a running workflow fails here, and must go behind
// workflow.GetVersion. Every registered workflow must have histories.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)

	recorded := map[string]int{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			var h historypb.History
			require.NoError(t, protojson.Unmarshal(b, &h))
			require.NotEmpty(t, h.Events)
			recorded[h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()]++

			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
	for _, wf := range workflows.All() {
		require.NotZero(t, recorded[wf.Name], "%s has no recorded history in testdata: record one (see testenv.SaveHistory)", wf.Name)
	}
}
