package desk

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
)

func TestBarWidthsScaleToTheLargestAmount(t *testing.T) {
	for _, tc := range []struct {
		name    string
		amounts []int64
		want    []int
	}{
		{"the largest fills the chart, the others in proportion", []int64{400, 100, 200, 0, 300}, []int{400, 100, 200, 0, 300}},
		{"rounded to the nearest unit", []int64{3, 1, 2}, []int{400, 133, 267}},
		{"a small amount is still drawn", []int64{100_000_000, 1}, []int{400, 1}},
		{"nothing owed draws nothing", []int64{0, 0, 0}, []int{0, 0, 0}},
		{"no amount below zero is drawn", []int64{-5, 10}, []int{0, 400}},
		{"balances too large to multiply in int64", []int64{math.MaxInt64, math.MaxInt64 / 2}, []int{400, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, barWidths(tc.amounts, 400))
		})
	}
}

func TestAgingChartPutsEachBucketOnItsRowWithItsLabels(t *testing.T) {
	b := func(major int64, n int) store.AgingBucket {
		return store.AgingBucket{Amount: money.FromMajor(major, "EUR"), Count: n}
	}
	c := newAgingChart("EUR", store.Aging{Current: b(1000, 1), Days1To30: b(2000, 1), Days31To60: b(0, 0),
		Days61To90: b(500, 2), Over90: b(4000, 1), Total: b(7500, 5)})

	require.Equal(t, "Open balances in EUR by days past due: EUR 7,500.00 in all, in 5 invoices.", c.Description)
	require.Len(t, c.Bars, 5)
	require.Equal(t, 5*chartRowH, c.Height)
	var names []string
	for i, bar := range c.Bars {
		names = append(names, bar.Name)
		require.Equal(t, i*chartRowH+(chartRowH-chartBarH)/2, bar.Y, "bar %d sits in its row", i)
		require.Equal(t, bar.X+bar.Width+chartValueGap, bar.ValueX, "the label follows its bar")
		require.LessOrEqual(t, bar.X+bar.Width, chartLabelW+chartBarMax)
	}
	require.Equal(t, []string{"Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"}, names)
	require.Equal(t, chartBarMax, c.Bars[4].Width, "the largest bucket is the longest bar")
	require.Equal(t, chartBarMax/2, c.Bars[1].Width)
	require.Equal(t, "EUR 2,000.00", c.Bars[1].Amount)
	require.Equal(t, 2, c.Bars[3].Count)
	require.Zero(t, c.Bars[2].Width)
}
