package main

// The bare SDK's side of each comparison: a dev server of its own and a
// worker in this process running workflows that do the same shape of
// work as Creditflow's with nothing inside (no-op activities, a timer).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const bareQueue = "bench-bare"

type bare struct {
	dev *testsuite.DevServer
	tc  client.Client
	w   worker.Worker
	// woke is when each timer workflow woke (its clock after the timer),
	// by workflow id.
	woke sync.Map
	// runs counts the timer batches, each under ids of its own.
	runs int
}

func startBare(ctx context.Context, b benchSetup) (*bare, error) {
	dev, err := startDevServer(ctx, b.bin, b.dynamicConfig...)
	if err != nil {
		return nil, err
	}
	x := &bare{dev: dev, tc: dev.Client()}
	x.w = worker.New(x.tc, bareQueue, worker.Options{})
	x.w.RegisterWorkflowWithOptions(benchNoOps, workflow.RegisterOptions{Name: "BenchNoOps"})
	x.w.RegisterWorkflowWithOptions(benchTimer, workflow.RegisterOptions{Name: "BenchTimer"})
	x.w.RegisterActivityWithOptions(func(context.Context) error { return nil }, activity.RegisterOptions{Name: "BenchNoOp"})
	x.w.RegisterActivityWithOptions(func(ctx context.Context, woke time.Time) error {
		x.woke.LoadOrStore(activity.GetInfo(ctx).WorkflowExecution.ID, woke)
		return nil
	}, activity.RegisterOptions{Name: "BenchWoke"})
	if err := x.w.Start(); err != nil {
		_ = dev.Stop()
		return nil, err
	}
	return x, nil
}

func (x *bare) close() {
	x.w.Stop()
	_ = x.dev.Stop()
}

var bareActivity = workflow.ActivityOptions{StartToCloseTimeout: time.Minute}

// benchNoOps runs n no-op activities one after the other: a credit
// request decided by the scorecard runs three (score, apply, email).
func benchNoOps(ctx workflow.Context, n int) error {
	ctx = workflow.WithActivityOptions(ctx, bareActivity)
	for range n {
		if err := workflow.ExecuteActivity(ctx, "BenchNoOp").Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// benchTimer sleeps until at, then runs one activity, which notes the
// workflow's clock on waking: as a reminder's timer fires, the invoice
// notes when it took the step (dunning_steps.taken_at) and runs one
// activity, the hand-over to its account's email of the day.
func benchTimer(ctx workflow.Context, at time.Time) error {
	if err := workflow.Sleep(ctx, at.Sub(workflow.Now(ctx))); err != nil {
		return err
	}
	ctx = workflow.WithActivityOptions(ctx, bareActivity)
	return workflow.ExecuteActivity(ctx, "BenchWoke", workflow.Now(ctx)).Get(ctx, nil)
}

// startMany starts n workflows from clients at once, and answers each
// start's latency, the time all took, and the runs.
func (x *bare) startMany(ctx context.Context, n, clients int, prefix, workflowType string, args ...any) ([]time.Duration, time.Duration, []client.WorkflowRun, error) {
	latencies := make([]time.Duration, n)
	runs := make([]client.WorkflowRun, n)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	begin := time.Now()
	for range clients {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				t0 := time.Now()
				run, err := x.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID: prefix + strconv.FormatInt(i, 10), TaskQueue: bareQueue,
				}, workflowType, args...)
				latencies[i], runs[i] = time.Since(t0), run
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("start %s: %w", workflowType, err) })
				}
			}
		})
	}
	wg.Wait()
	return latencies, time.Since(begin), runs, firstErr
}

// waitAll waits for every run to complete.
func waitAll(ctx context.Context, runs []client.WorkflowRun) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(runs))
	for _, r := range runs {
		wg.Go(func() { errs <- r.Get(ctx, nil) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
