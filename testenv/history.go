package testenv

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// RecordHistories is set when histories are being re-recorded for the
// replay tests: CREDITFLOW_RECORD_HISTORIES=1 go test ./api -run Record.
var RecordHistories = os.Getenv("CREDITFLOW_RECORD_HISTORIES") != ""

// SaveHistory writes a workflow's history as `temporal workflow show
// --output json` does, under workflows/testdata, for the replay tests.
func SaveHistory(t testing.TB, c client.Client, workflowID, name string) {
	t.Helper()
	SaveRunHistory(t, c, workflowID, "", name)
}

// SaveRunHistory is SaveHistory of one run of a workflow ("": the latest),
// such as the first run of one that continued as new.
func SaveRunHistory(t testing.TB, c client.Client, workflowID, runID, name string) {
	t.Helper()
	ctx := context.Background()
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
	var history historypb.History
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		history.Events = append(history.Events, event)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&history)
	if err != nil {
		t.Fatalf("encode history: %v", err)
	}
	path := filepath.Join(RepoRoot(), "workflows", "testdata", name+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", path)
}
