package activities

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/workflows"
)

// PermanentErrors makes Postgres errors that no retry can cure (a
// constraint the data breaks, data Postgres refuses) non-retryable, for
// every activity at once: an activity that hit one would otherwise retry
// for as long as its workflow lives, and hold it up with it. Connection
// errors and timeouts stay retryable: Postgres may be back in a minute.
type PermanentErrors struct {
	interceptor.WorkerInterceptorBase
}

// InterceptActivity implements interceptor.WorkerInterceptor.
func (*PermanentErrors) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &permanentErrors{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type permanentErrors struct {
	interceptor.ActivityInboundInterceptorBase
}

func (p *permanentErrors) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	result, err := p.Next.ExecuteActivity(ctx, in)
	return result, permanent(err)
}

// permanent turns a Postgres error of class 22 (data exception) or 23
// (integrity constraint violation) into a non-retryable error of type
// workflows.ErrTypeStore; any other error is returned as it is.
func permanent(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || (len(pgErr.Code) < 2 || (pgErr.Code[:2] != "22" && pgErr.Code[:2] != "23")) {
		return err
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return err // already classified by the activity
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeStore, err)
}
