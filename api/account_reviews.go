package api

import (
	"context"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
)

// addReviews shows each account's band and, for a customer, the day its
// periodic credit review falls due, by the rule the review schedule
// applies (store.ReviewState, policy.PeriodicReview.DueAt).
func (s *Server) addReviews(ctx context.Context, accounts []*credit.Account) error {
	if len(accounts) == 0 {
		return nil
	}
	ids := make([]string, len(accounts))
	for k, a := range accounts {
		ids[k] = a.ID
	}
	states, err := s.Store.ReviewStates(ctx, ids)
	if err != nil {
		return err
	}
	review, day := s.Review, s.Day
	if review.ReviewEveryDays == nil {
		review = policy.Default().PeriodicReview
	}
	if day <= 0 {
		day = 24 * time.Hour
	}
	for _, a := range accounts {
		st, ok := states[a.ID]
		if !ok {
			continue
		}
		a.Band = st.Band
		if a.Status == credit.AccountActive || a.Status == credit.AccountOnHold {
			a.NextReviewOn = review.DueAt(st.Band, st.LastReview, day).UTC().Format(time.DateOnly)
		}
	}
	return nil
}
