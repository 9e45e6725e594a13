package worker_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/worker"
)

func TestWorkerLanesAreChosenByName(t *testing.T) {
	for in, want := range map[string][]worker.Lane{
		"all":               {worker.Interactive, worker.Batch},
		"interactive":       {worker.Interactive},
		"batch":             {worker.Batch},
		"batch,interactive": {worker.Batch, worker.Interactive},
	} {
		got, err := worker.ParseLanes(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "people", "batch,", "interactive;batch"} {
		_, err := worker.ParseLanes(bad)
		require.ErrorContains(t, err, "--lanes", bad)
	}
	require.Equal(t, "creditflow-interactive", worker.Interactive.TaskQueue("creditflow"))
	require.Equal(t, "creditflow", worker.Batch.TaskQueue("creditflow"))
}
