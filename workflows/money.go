package workflows

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/creditflow/creditflow/money"
)

// Money is an amount as workflows carry it: integer minor units beside the
// currency. Its decoding never validates: a history recorded under last
// year's currency table must still decode, so the currency is taken as
// written and the amount is never checked against the table.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// MoneyOf is m as a workflow carries it.
func MoneyOf(m money.Money) Money { return Money{Minor: m.Minor, Currency: m.Currency} }

// Amount is m as the rest of Creditflow handles it.
func (m Money) Amount() money.Money { return money.New(m.Minor, m.Currency) }

// Display is how an email or a message shows the amount: "EUR 12,500.00".
func (m Money) Display() string { return m.Amount().Display() }

// UnmarshalJSON reads {"minor":1250000,"currency":"EUR"} and, for the
// histories recorded before workflows had types of their own, the API's
// {"amount":"12500.00","currency":"EUR"}. That amount was always written
// with exactly the currency's minor digits, so dropping the decimal point
// gives the minor units without consulting the currency table.
func (m *Money) UnmarshalJSON(b []byte) error {
	var w struct {
		Minor    *int64  `json:"minor"`
		Amount   *string `json:"amount"`
		Currency string  `json:"currency"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Money{Currency: w.Currency}
	switch {
	case w.Minor != nil:
		m.Minor = *w.Minor
	case w.Amount != nil:
		n, err := strconv.ParseInt(strings.Replace(*w.Amount, ".", "", 1), 10, 64)
		if err != nil {
			return err
		}
		m.Minor = n
	}
	return nil
}
