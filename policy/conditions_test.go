package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConditionsSayWhatTheyAskFor(t *testing.T) {
	for want, got := range map[string]string{
		"the deposit of EUR 5,000.00": DescribeCondition("deposit", "EUR 5,000.00", "", "", 0),
		"the deposit":                 DescribeCondition("deposit", "", "", "", 0),
		"the letter of credit for EUR 20,000.00 valid until 2027-06-30": DescribeCondition("letter_of_credit", "EUR 20,000.00", "2027-06-30", "", 0),
		"the personal guarantee of Jane Doe":                            DescribeCondition("personal_guarantee", "", "", "Jane Doe", 0),
		"payment terms of 15 days":                                      DescribeCondition("shorter_terms", "", "", "", 15),
		"the personal guarantee":                                        DescribeCondition("personal_guarantee", "", "", "", 0),
	} {
		require.Equal(t, want, got)
	}
}
