package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSegmentFromThePaymentRecord(t *testing.T) {
	d := Default().Dunning
	for _, tc := range []struct {
		name string
		r    PaymentRecord
		want string
	}{
		{"a new account", PaymentRecord{}, SegmentStandard},
		{"two paid on time is too few", PaymentRecord{Paid: 2, OnTime: 2}, SegmentStandard},
		{"three on time", PaymentRecord{Paid: 3, OnTime: 3}, SegmentPrompt},
		{"nine of ten on time", PaymentRecord{Paid: 10, OnTime: 9}, SegmentPrompt},
		{"eight of ten on time", PaymentRecord{Paid: 10, OnTime: 8}, SegmentStandard},
		{"three of ten very late", PaymentRecord{Paid: 10, OnTime: 5, Late: 3}, SegmentSlow},
		{"two of ten very late", PaymentRecord{Paid: 10, OnTime: 5, Late: 2}, SegmentStandard},
	} {
		require.Equal(t, tc.want, d.Segment(tc.r), tc.name)
	}
}
