package policy

import (
	"fmt"
	"strings"
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
