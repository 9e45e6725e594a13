package workflows

import (
	"strconv"
	"time"
)

// The types below cross PeriodicReviewWorkflow's boundary and the periodic
// review's own activities. Like every payload, they decode every history
// recorded so far and never validate.

// ReviewedBy is who "asks" for a periodic review: nobody in the company,
// so that everybody in credit may decide it and no rep may withdraw it.
const ReviewedBy = "creditflow"

// PeriodicReviewRequestID is the credit request of an account's periodic
// review falling due on policy day dueDay. The period is the day the
// review fell due, not the day it is started: every run until the account
// is reviewed derives the same id, which Temporal does not start twice.
func PeriodicReviewRequestID(accountID string, dueDay int64) string {
	return KeyedID("cr", accountID, "periodic-review", strconv.FormatInt(dueDay, 10))
}

// PeriodicReviewInput is the workflow's input: none from the schedule; a
// run continued as new carries the moment it reviews as of, where it got
// to and what it did so far.
type PeriodicReviewInput struct {
	AsOf     *time.Time             `json:"as_of,omitempty"`
	After    string                 `json:"after,omitempty"`
	Progress PeriodicReviewProgress `json:"progress"`
}

// PeriodicReviewProgress counts what a review run did: the customers it
// read, those due, the reviews it started and those already running.
type PeriodicReviewProgress struct {
	Scanned        int `json:"scanned"`
	Due            int `json:"due"`
	Started        int `json:"started"`
	AlreadyStarted int `json:"already_started"`
}

// ListDueReviewsInput asks for a page of customers after After, and
// which of them are due for review at AsOf.
type ListDueReviewsInput struct {
	AsOf  time.Time `json:"as_of"`
	After string    `json:"after,omitempty"`
	Limit int       `json:"limit"`
}

// DueReviews is one page: how many customers it read, those due, and the
// cursor of the next page ("" after the last).
type DueReviews struct {
	Scanned int         `json:"scanned"`
	Due     []DueReview `json:"due"`
	Next    string      `json:"next,omitempty"`
}

// DueReview is a customer due for review: its band and interval, when it
// was last reviewed, the policy day the review fell due and the limit
// under review.
type DueReview struct {
	AccountID   string    `json:"account_id"`
	Band        string    `json:"band"`
	EveryDays   int       `json:"every_days"`
	LastReview  time.Time `json:"last_review"`
	DueDay      int64     `json:"due_day"`
	CreditLimit Money     `json:"credit_limit"`
}

// StartPeriodicReviewsInput asks for one CreditRequestWorkflow of kind
// periodic_review per due customer.
type StartPeriodicReviewsInput struct {
	Reviews []DueReview `json:"reviews"`
}

// StartedReviews says how many were started, and how many were running
// (or ran) already under their id.
type StartedReviews struct {
	Started        int `json:"started"`
	AlreadyStarted int `json:"already_started"`
}

// PeriodicReviewRequest is the credit request that reviews d, as its
// workflow takes it: the limit under review is the requested limit.
func PeriodicReviewRequest(d DueReview, at time.Time) CreditRequest {
	band := d.Band
	if band == "" {
		band = "none yet"
	}
	return CreditRequest{
		ID: PeriodicReviewRequestID(d.AccountID, d.DueDay), Kind: KindPeriodicReview, Status: StatusScoring,
		AccountID: d.AccountID, RequestedLimit: d.CreditLimit, Reasons: []string{}, CreatedBy: ReviewedBy,
		Reason: "band " + band + ", reviewed every " + strconv.Itoa(d.EveryDays) + " days; last reviewed " +
			d.LastReview.UTC().Format(time.DateOnly),
		CreatedAt: at, UpdatedAt: at,
	}
}

// ReviewApplied is what ApplyReviewDecision did to the account.
type ReviewApplied struct {
	// PutOnHold: the decision moved the account to on_hold.
	PutOnHold bool `json:"put_on_hold"`
	// Released: the decision lifted the account's last hold.
	Released    bool  `json:"released"`
	CreditLimit Money `json:"credit_limit"`
	Exposure    Money `json:"exposure"`
}
