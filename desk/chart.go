package desk

import (
	"fmt"
	"math"

	"github.com/creditflow/creditflow/store"
)

// The aging chart's geometry, in SVG user units: one horizontal bar per
// bucket, its name on the left, its amount and count after the bar. The
// server draws it (no script, no inline style: the desk's CSP forbids
// them), so it prints and reads the same everywhere.
const (
	chartWidth    = 720
	chartLabelW   = 110 // the buckets' names
	chartBarMax   = 400 // the longest bar
	chartRowH     = 40
	chartBarH     = 24
	chartValueGap = 10
)

// barWidths scales amounts to bars of at most full units, the largest
// amount the longest bar. An amount above zero is never drawn as nothing
// (at least one unit), and none is drawn below zero.
func barWidths(amounts []int64, full int) []int {
	var largest int64
	for _, a := range amounts {
		largest = max(largest, a)
	}
	widths := make([]int, len(amounts))
	if largest <= 0 {
		return widths
	}
	for i, a := range amounts {
		if a <= 0 {
			continue
		}
		// In float: amount × full may overflow int64 for large balances.
		widths[i] = max(1, int(math.Round(float64(a)/float64(largest)*float64(full))))
	}
	return widths
}

// agingChart is one currency's aging as the template draws it.
type agingChart struct {
	ID            string // for the title's and description's ids
	Width, Height int
	Description   string
	Bars          []agingBar
}

// agingBar is one bucket: its row's geometry and its labels.
type agingBar struct {
	Name          string
	Amount        string
	Count         int
	Y, TextY      int
	X, Width, H   int
	ValueX, NameX int
}

// newAgingChart lays out a currency's aging buckets, oldest last.
func newAgingChart(currency string, a store.Aging) agingChart {
	buckets := []struct {
		name string
		b    store.AgingBucket
	}{
		{"Current", a.Current}, {"1–30 days", a.Days1To30}, {"31–60 days", a.Days31To60},
		{"61–90 days", a.Days61To90}, {"Over 90 days", a.Over90},
	}
	amounts := make([]int64, len(buckets))
	for i, b := range buckets {
		amounts[i] = b.b.Amount.Minor
	}
	widths := barWidths(amounts, chartBarMax)
	c := agingChart{ID: "aging-" + currency, Width: chartWidth, Height: len(buckets) * chartRowH,
		Description: fmt.Sprintf("Open balances in %s by days past due: %s in all, in %d invoices.",
			currency, a.Total.Amount.Display(), a.Total.Count)}
	for i, b := range buckets {
		y := i * chartRowH
		c.Bars = append(c.Bars, agingBar{
			Name: b.name, Amount: b.b.Amount.Display(), Count: b.b.Count,
			Y: y + (chartRowH-chartBarH)/2, TextY: y + chartRowH/2 + 5,
			NameX: 0, X: chartLabelW, Width: widths[i], H: chartBarH, ValueX: chartLabelW + widths[i] + chartValueGap,
		})
	}
	return c
}
