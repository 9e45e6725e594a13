package policy

import (
	"fmt"
	"strings"
	"time"
)

// DescribeCondition says what a condition of an approval asks for, as
// emails, the timeline and a credit check say it: "the deposit of EUR
// 5,000.00", "the letter of credit for EUR 20,000.00 valid until
// 2027-06-30". amount is the amount as shown, "" when there is none.
func DescribeCondition(typ, amount, expiresOn, guarantor string, termsDays int) string {
	switch typ {
	case "deposit":
		if amount != "" {
			return "the deposit of " + amount
		}
		return "the deposit"
	case "letter_of_credit":
		s := "the letter of credit"
		if amount != "" {
			s += " for " + amount
		}
		if expiresOn != "" {
			s += " valid until " + expiresOn
		}
		return s
	case "personal_guarantee":
		if guarantor != "" {
			return "the personal guarantee of " + guarantor
		}
		return "the personal guarantee"
	case "shorter_terms":
		if termsDays > 0 {
			return fmt.Sprintf("payment terms of %d days", termsDays)
		}
		return "shorter payment terms"
	}
	return strings.ReplaceAll(typ, "_", " ")
}

// LetterOfCreditExpiry is the instant a letter of credit valid until
// expiresOn stops holding an approval decided at decidedAt: the end of
// that date, UTC, with calendar days; with a shorter policy day (demos,
// end-to-end tests) the same number of policy days after the approval.
func LetterOfCreditExpiry(decidedAt, expiresOn time.Time, day time.Duration) time.Time {
	if day >= 24*time.Hour || day <= 0 {
		return expiresOn.AddDate(0, 0, 1)
	}
	decidedOn := decidedAt.UTC().Truncate(24 * time.Hour)
	return Clock{DayZero: decidedAt, Day: day}.EndOfDate(decidedOn, expiresOn)
}
