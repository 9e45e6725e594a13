package workflows

import (
	"fmt"
	"strings"

	"github.com/creditflow/creditflow/money"
)

// A periodic review is a CreditRequestWorkflow of kind periodic_review:
// scored on the account's own record instead of the scorecard, decided by
// approve (keep, lower or raise the limit) or hold, applied with the holds
// a lower limit brings, and told to the account's rep only when something
// changed. Everything here is keyed on that kind, so the commands of the
// other kinds are those their histories hold.

// What a periodic review's decision did to the limit.
const (
	ReviewKeep  = "keep"
	ReviewLower = "lower"
	ReviewRaise = "raise"
	ReviewHold  = "hold"
)

func (cr *creditRequest) scoreActivity() string {
	if cr.Kind == KindPeriodicReview {
		return ScorePeriodicReviewActivity
	}
	return ScoreCreditRequestActivity
}

// markReview says what a review's decision does to the limit under
// review (the requested limit of a review).
func (cr *creditRequest) markReview(d *Decision) {
	if cr.Kind != KindPeriodicReview {
		return
	}
	switch {
	case d.Outcome == OutcomeHold:
		d.ReviewOutcome = ReviewHold
	case d.ApprovedLimit == nil:
	case d.ApprovedLimit.Minor < cr.RequestedLimit.Minor:
		d.ReviewOutcome = ReviewLower
	case d.ApprovedLimit.Minor > cr.RequestedLimit.Minor:
		d.ReviewOutcome = ReviewRaise
	default:
		d.ReviewOutcome = ReviewKeep
	}
	if d.Automatic {
		s := cr.assessment.Score
		d.Reason = fmt.Sprintf("kept by the review scorecard: %d points, band %s, nothing adverse in the period", s.Points, s.Band)
	}
}

// validateReviewDecision: a review keeps, lowers or raises the limit
// (approve with the new limit) or holds the account (with a reason).
// Keeping or lowering is within everybody's authority; a raise grants
// credit, and a credit analyst raises up to their approval limit.
func (cr *creditRequest) validateReviewDecision(d DecisionInput) error {
	if len(d.Conditions) > 0 {
		return invalid("conditions: a periodic review carries no conditions")
	}
	switch d.Outcome {
	case OutcomeApprove:
		if d.ApprovedLimit == nil || d.ApprovedLimit.Minor <= 0 {
			return invalid("approved_limit: the limit to keep, lower to or raise to; to stop credit, hold the account")
		}
		if d.ApprovedLimit.Currency != cr.RequestedLimit.Currency {
			return invalid("approved_limit: must be in " + cr.RequestedLimit.Currency + ", the account's currency")
		}
		if d.ApprovedLimit.Minor > cr.RequestedLimit.Minor {
			return cr.withinApprovalLimit(d)
		}
	case OutcomeHold:
		if d.ApprovedLimit != nil {
			return invalid("approved_limit: a hold keeps the limit; to lower it, approve a lower limit")
		}
		if strings.TrimSpace(d.Reason) == "" {
			return invalid("reason: a hold needs a reason")
		}
	default:
		return invalid("outcome: a periodic review is decided with approve (keeping, lowering or raising the limit to approved_limit) or hold")
	}
	return nil
}

// withinApprovalLimit refuses a credit analyst an approved limit above
// their approval limit (or the policy's default one).
func (cr *creditRequest) withinApprovalLimit(d DecisionInput) error {
	if d.By.Role != RoleCredit {
		return nil
	}
	max := cr.assessment.Review.DefaultApprovalMax
	if d.By.ApprovalLimit != nil {
		max = *d.By.ApprovalLimit
	}
	if limit := money.FromMajor(max, d.ApprovedLimit.Currency); d.ApprovedLimit.Minor > limit.Minor {
		return forbidden(fmt.Sprintf("approved_limit: above your approval limit of %s", limit.Display()))
	}
	return nil
}

// changesTheAccount: the review's decision changed the limit or the
// account's hold, which its rep hears of. A limit kept, nobody needs to.
func (cr *creditRequest) changesTheAccount() bool {
	d := cr.Decision
	return d != nil && (d.ReviewOutcome != ReviewKeep || cr.applied.PutOnHold || cr.applied.Released)
}

// reviewFacts are what the emails about a review show.
func (cr *creditRequest) reviewFacts(f map[string]string) {
	f["Periodic"] = "yes"
	f["RequestedBy"] = "Creditflow's review schedule"
	f["RecipientName"] = ""
	f["Recommendation"] = cr.assessment.Score.Recommendation
	d := cr.Decision
	if d == nil {
		return
	}
	f["ReviewOutcome"] = d.ReviewOutcome
	previous := cr.RequestedLimit.Display()
	switch d.ReviewOutcome {
	case ReviewKeep:
		f["OutcomeLabel"], f["OutcomeSentence"] = "Credit limit kept", "the credit limit of "+previous+" is kept"
	case ReviewLower:
		f["OutcomeLabel"], f["OutcomeSentence"] = "Credit limit lowered", "the credit limit is lowered from "+previous+" to "+d.ApprovedLimit.Display()
	case ReviewRaise:
		f["OutcomeLabel"], f["OutcomeSentence"] = "Credit limit raised", "the credit limit is raised from "+previous+" to "+d.ApprovedLimit.Display()
	case ReviewHold:
		f["OutcomeLabel"], f["OutcomeSentence"] = "Account on hold", "the account is put on credit hold"
	}
	if cr.applied.PutOnHold {
		f["OnHold"] = "yes"
		f["Exposure"] = cr.applied.Exposure.Display()
	}
	if cr.applied.Released {
		f["Released"] = "yes"
	}
}
