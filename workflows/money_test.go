package workflows

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMoneyDecodesWhatEveryVersionWrote(t *testing.T) {
	for _, tc := range []struct {
		json string
		want Money
	}{
		{`{"minor":1250000,"currency":"EUR"}`, Money{1250000, "EUR"}},
		{`{"amount":"12500.00","currency":"EUR"}`, Money{1250000, "EUR"}},
		{`{"amount":"500","currency":"JPY"}`, Money{500, "JPY"}},
		{`{"amount":"1.234","currency":"KWD"}`, Money{1234, "KWD"}},
		{`{"amount":"-3.50","currency":"EUR"}`, Money{-350, "EUR"}},
		{`{"amount":"0","currency":""}`, Money{}},
		{`{"amount":"10.00","currency":"XTS"}`, Money{1000, "XTS"}}, // not in the table: still decodes
		{`null`, Money{}},
	} {
		var m Money
		require.NoError(t, json.Unmarshal([]byte(tc.json), &m), tc.json)
		require.Equal(t, tc.want, m, tc.json)
	}
	b, err := json.Marshal(Money{1250000, "EUR"})
	require.NoError(t, err)
	require.JSONEq(t, `{"minor":1250000,"currency":"EUR"}`, string(b))
}
