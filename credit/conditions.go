package credit

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
)

// Condition types an approval may carry.
const (
	ConditionDeposit           = "deposit"
	ConditionLetterOfCredit    = "letter_of_credit"
	ConditionPersonalGuarantee = "personal_guarantee"
	ConditionShorterTerms      = "shorter_terms"
)

// Condition statuses: pending until credit has what it asked for (met,
// with a note) or a credit manager lets it go (waived); lapsed with the
// approval when it stays pending too long.
const (
	ConditionPending = "pending"
	ConditionMet     = "met"
	ConditionWaived  = "waived"
	ConditionLapsed  = "lapsed"
)

// Condition is a condition of an approval, with what its type needs: a
// deposit's amount, a letter of credit's amount and expiry, a guarantor,
// the shorter terms' days. Approvals of the first version carried a bare
// type ("deposit"), which still decodes (and is still accepted).
type Condition struct {
	Type      string       `json:"type"`
	Amount    *money.Money `json:"amount,omitempty"`
	ExpiresOn string       `json:"expires_on,omitempty"`
	Guarantor string       `json:"guarantor,omitempty"`
	TermsDays int          `json:"terms_days,omitempty"`
	// ExpiredOn is the expiry of a letter of credit that expired while it
	// held the approval, pending again until credit has a new one.
	ExpiredOn string `json:"expired_on,omitempty"`
	// Status, and who settled it when, with the note.
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

// What says what the condition asks for, for an email or a credit check:
// "the deposit of EUR 5,000.00".
func (c Condition) What() string {
	amount := ""
	if c.Amount != nil {
		amount = c.Amount.Display()
	}
	return policy.DescribeCondition(c.Type, amount, c.ExpiresOn, c.Guarantor, c.TermsDays)
}

// Waiting says what an account's pending conditions still wait for, or
// "" when none does.
func Waiting(pending []Condition) string {
	var what []string
	for _, c := range pending {
		what = append(what, c.What())
	}
	if len(what) == 0 {
		return ""
	}
	return "waiting for " + strings.Join(what, " and ")
}
