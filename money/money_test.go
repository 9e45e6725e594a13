package money

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAndFormatRoundTrip(t *testing.T) {
	cases := []struct {
		in, cur, out string
		minor        int64
	}{
		{"12500.00", "EUR", "12500.00", 1250000},
		{"12500", "EUR", "12500.00", 1250000},
		{"0.1", "USD", "0.10", 10},
		{"500", "JPY", "500", 500},
		{"1.234", "KWD", "1.234", 1234},
	}
	for _, c := range cases {
		m, err := Parse(c.in, c.cur)
		require.NoError(t, err, c.in)
		require.Equal(t, c.minor, m.Minor, c.in)
		require.Equal(t, c.out, m.String(), c.in)
	}
}

func TestParseRefusesWhatIsNotMoney(t *testing.T) {
	for _, c := range []struct{ in, cur string }{
		{"-5", "EUR"}, {"1.234", "EUR"}, {"1e5", "EUR"}, {"", "EUR"}, {".5", "EUR"},
		{"5.", "EUR"}, {"12", "XXX"}, {"99999999999999999999", "EUR"}, {"1.5", "JPY"},
	} {
		_, err := Parse(c.in, c.cur)
		require.Error(t, err, "%s %s", c.in, c.cur)
	}
}

func TestJSONRefusesFloats(t *testing.T) {
	var m Money
	err := json.Unmarshal([]byte(`{"amount":12.5,"currency":"EUR"}`), &m)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "amount", fe.Part)

	require.NoError(t, json.Unmarshal([]byte(`{"amount":"12.50","currency":"EUR"}`), &m))
	b, _ := json.Marshal(m)
	require.JSONEq(t, `{"amount":"12.50","currency":"EUR"}`, string(b))
}

func TestDisplay(t *testing.T) {
	require.Equal(t, "EUR 1,234,567.80", New(123456780, "EUR").Display())
	require.Equal(t, "JPY 1,000", New(1000, "JPY").Display())
}

func TestZeroRoundTrips(t *testing.T) {
	b, err := json.Marshal(Money{})
	require.NoError(t, err)
	var m Money
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, Money{}, m)
}
