package api

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/creditflow/creditflow/config"
)

// An import paces its workflow starts: every import call of an API
// process shares one bound (Server.ImportStartsPerSecond), so a
// 100,000-invoice ERP sync sent as a hundred calls is spread over time
// rather than poured into Temporal and the batch lane at once. People's
// work has a lane of its own (workflows/lanes.go); the pace keeps the
// batch lane's backlog, and the server's load, within what was chosen.

// ImportPacing is how an import's starts were paced, in its answer.
type ImportPacing struct {
	// StartsPerSecond is the bound on the process's import starts.
	StartsPerSecond int `json:"starts_per_second"`
	// Seconds is how long this import took to start its workflows,
	// waiting for its turn included.
	Seconds float64 `json:"seconds"`
}

// importStartsInFlight bounds the starts in flight for all imports of a
// process. Temporal answers a start in a few milliseconds when it is not
// queued; more in flight only lengthen the queue that a sales rep's
// request joins at the server. Measured with ./scripts/bench and
// ./scripts/bench -lane on a quiet 2-core machine: 16 imported 185/s
// (0.65 of the bare SDK's starts), worst pre-approval 1.0 s during an
// import; 32: 215/s (0.84), worst 1.5 s; 128: 179/s (0.61), worst 5.9 s.
// Four calls of 64 each (before the lanes) held people's work 38 to 69 s.
const importStartsInFlight = 32

// importPace is the process's one limiter, made on first use.
type importPace struct {
	once     sync.Once
	perSec   int
	limiter  *rate.Limiter
	inFlight chan struct{}
}

func (s *Server) importLimiter() (*rate.Limiter, int) {
	p := &s.importPace
	p.once.Do(func() {
		p.perSec = s.ImportStartsPerSecond
		if p.perSec <= 0 {
			p.perSec = config.DefaultImportStartsPerSecond
		}
		// A burst of one: starts leave evenly, one every 1/perSec, and
		// no second of the import starts more than the bound.
		p.limiter = rate.NewLimiter(rate.Limit(p.perSec), 1)
		p.inFlight = make(chan struct{}, importStartsInFlight)
	})
	return p.limiter, p.perSec
}

// awaitImportStart waits for the turn of one more import start, and
// answers the function that ends it.
func (s *Server) awaitImportStart(ctx context.Context) (done func(), err error) {
	l, _ := s.importLimiter()
	select {
	case s.importPace.inFlight <- struct{}{}:
	case <-ctx.Done():
		return func() {}, ctx.Err()
	}
	if err := l.Wait(ctx); err != nil {
		<-s.importPace.inFlight
		return func() {}, err
	}
	return func() { <-s.importPace.inFlight }, nil
}

// importPacing reports the pace of an import that began starting its
// workflows at begin.
func (s *Server) importPacing(begin time.Time) ImportPacing {
	_, perSec := s.importLimiter()
	return ImportPacing{StartsPerSecond: perSec, Seconds: time.Since(begin).Round(time.Millisecond).Seconds()}
}
