package workflows

import (
	"bytes"
	"encoding/json"
	"time"
)

// Condition is a condition of an approval as the request's workflow
// holds it (see credit.Condition). Histories recorded before conditions
// were objects carry a bare type ("deposit"), which decodes.
type Condition struct {
	Type      string `json:"type"`
	Amount    *Money `json:"amount,omitempty"`
	ExpiresOn string `json:"expires_on,omitempty"`
	Guarantor string `json:"guarantor,omitempty"`
	TermsDays int    `json:"terms_days,omitempty"`
	// ExpiredOn is the last expiry of a letter of credit that expired
	// while it held the approval: pending again until a new one is met.
	ExpiredOn  string     `json:"expired_on,omitempty"`
	Status     string     `json:"status,omitempty"`
	Note       string     `json:"note,omitempty"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// UnmarshalJSON reads a condition object or a bare type.
func (c *Condition) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*c = Condition{}
		return json.Unmarshal(b, &c.Type)
	}
	type plain Condition
	return json.Unmarshal(b, (*plain)(c))
}

// Condition statuses and types, as package credit names them.
const (
	ConditionPending = "pending"
	ConditionMet     = "met"
	ConditionWaived  = "waived"
	ConditionLapsed  = "lapsed"

	ConditionShorterTerms   = "shorter_terms"
	ConditionLetterOfCredit = "letter_of_credit"
)

// ConditionUpdate marks the n-th condition (from 0) of an approval met or
// waived; it answers the request.
const ConditionUpdate = "condition"

// ConditionInput is the argument of the condition update.
type ConditionInput struct {
	N      int    `json:"n"`
	Status string `json:"status"` // met or waived
	Note   string `json:"note"`
	// ExpiresOn is a letter of credit's new expiry, met: a renewal of a
	// letter that still holds, or the new letter after one expired.
	ExpiresOn string  `json:"expires_on,omitempty"`
	By        Decider `json:"by"`
}

// RecordConditionInput asks RecordCondition to keep a condition's new
// status, and what it did to the approval.
type RecordConditionInput struct {
	RequestID string    `json:"request_id"`
	N         int       `json:"n"`
	Condition Condition `json:"condition"`
	// Event names the change, once: "condition/N/STATUS" when empty (a
	// condition's first settlement); a letter of credit's renewals and
	// expiries name their date.
	Event string `json:"event,omitempty"`
}

// ExpireLetterOfCreditInput asks ExpireLetterOfCredit to make a letter
// of credit that expired pending again, if its account is still open;
// it answers whether it did (ExpireLetterOfCreditResult).
type ExpireLetterOfCreditInput struct {
	RequestID string    `json:"request_id"`
	N         int       `json:"n"`
	Condition Condition `json:"condition"`
	Event     string    `json:"event"`
}

// ExpireLetterOfCreditResult says whether the account was open, and the
// letter's condition pending again.
type ExpireLetterOfCreditResult struct {
	Open bool `json:"open"`
}

// LapseApprovalInput asks LapseApproval to take an approval back whose
// conditions were not met in time.
type LapseApprovalInput struct {
	RequestID string    `json:"request_id"`
	At        time.Time `json:"at"`
}
