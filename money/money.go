// Package money holds amounts as integer minor units beside their currency.
//
// The API speaks decimal strings ("12500.00") and never floats: a float
// cannot hold 0.10 exactly, and a credit limit that drifts by a cent is a
// bug a credit manager will find before we do.
package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxMinor bounds every amount: a trillion in major units is far beyond
// any credit line and keeps sums of thousands of invoices inside int64.
const MaxMinor = 1_000_000_000_000_00

// Money is an amount in minor units (cents) of Currency.
type Money struct {
	Minor    int64  `json:"-"`
	Currency string `json:"-"`
}

// exponents lists the ISO 4217 currencies we accept with their minor-unit
// digits. A currency missing here is refused rather than guessed.
var exponents = map[string]int{
	"AED": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2,
	"CLP": 0, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2,
	"HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0,
	"KRW": 0, "KWD": 3, "MAD": 2, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2,
	"OMR": 3, "PHP": 2, "PLN": 2, "QAR": 2, "RON": 2, "SAR": 2, "SEK": 2,
	"SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2,
	"VND": 0, "ZAR": 2,
}

// Errors a caller can tell apart, to name the offending part of a field.
var (
	ErrCurrency = errors.New("unknown ISO 4217 currency")
	ErrAmount   = errors.New("amount must be a decimal string such as \"12500.00\"")
	ErrTooLarge = errors.New("amount is too large")
	ErrNegative = errors.New("amount must not be negative")
)

// KnownCurrency reports whether c is a currency Creditflow accepts.
func KnownCurrency(c string) bool { _, ok := exponents[c]; return ok }

// Exponent is the number of minor-unit digits of a known currency.
func Exponent(c string) int { return exponents[c] }

// Parse reads a decimal string in currency cur. Negative amounts are
// refused: refunds and credit notes are their own operations.
func Parse(amount, cur string) (Money, error) {
	exp, ok := exponents[cur]
	if !ok {
		return Money{}, ErrCurrency
	}
	s := strings.TrimSpace(amount)
	if strings.HasPrefix(s, "-") {
		return Money{}, ErrNegative
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		return Money{}, ErrAmount
	}
	if len(frac) > exp {
		return Money{}, fmt.Errorf("%s has %d decimal places at most", cur, exp)
	}
	if len(whole) > 16 {
		return Money{}, ErrTooLarge
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > MaxMinor {
		return Money{}, ErrTooLarge
	}
	return Money{Minor: n, Currency: cur}, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// New builds an amount from minor units.
func New(minor int64, cur string) Money { return Money{Minor: minor, Currency: cur} }

// FromMajor builds an amount from whole units, as policies state them.
func FromMajor(major int64, cur string) Money {
	m := major
	for range Exponent(cur) {
		m *= 10
	}
	return Money{Minor: m, Currency: cur}
}

// String is the decimal amount without the currency, as the API writes it.
func (m Money) String() string {
	exp := Exponent(m.Currency)
	neg := m.Minor < 0
	n := m.Minor
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Display is how an email shows the amount: "EUR 12,500.00".
func (m Money) Display() string {
	s := m.String()
	whole, frac, hasDot := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasDot {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return m.Currency + " " + out
}

// Major is the amount in whole units, rounded down; scoring works in them.
func (m Money) Major() int64 {
	n := m.Minor
	for range Exponent(m.Currency) {
		n /= 10
	}
	return n
}

type wire struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON writes {"amount":"12500.00","currency":"EUR"}.
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(wire{Amount: m.String(), Currency: m.Currency})
}

// UnmarshalJSON reads {"amount":"12500.00","currency":"EUR"}; a number for
// the amount is refused, so a float never becomes money.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" || string(b) == `{"amount":"0","currency":""}` {
		// The zero amount, as MarshalJSON writes it for an unset field.
		*m = Money{}
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return &FieldError{Part: "", Err: errors.New("money must be an object {\"amount\":\"12.50\",\"currency\":\"EUR\"}")}
	}
	var w wire
	if err := json.Unmarshal(raw["amount"], &w.Amount); err != nil || raw["amount"] == nil {
		return &FieldError{Part: "amount", Err: ErrAmount}
	}
	if err := json.Unmarshal(raw["currency"], &w.Currency); err != nil || raw["currency"] == nil {
		return &FieldError{Part: "currency", Err: ErrCurrency}
	}
	v, err := Parse(w.Amount, w.Currency)
	if err != nil {
		part := "amount"
		if errors.Is(err, ErrCurrency) {
			part = "currency"
		}
		return &FieldError{Part: part, Err: err}
	}
	*m = v
	return nil
}

// FieldError says which part of a money object was wrong.
type FieldError struct {
	Part string
	Err  error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }
