package policy

// PaymentRecord is what an account's paid invoices of the last 12 months
// say about how it pays.
type PaymentRecord struct {
	Paid   int // invoices paid
	OnTime int // paid on or before their due date
	Late   int // paid more than SlowLateDays after their due date
}

// Segment classifies an account by its payment record: prompt (enough
// paid invoices, nearly all on time), slow (enough, and many very late),
// standard otherwise, new accounts included.
func (d Dunning) Segment(r PaymentRecord) string {
	switch {
	case r.Paid >= d.MinPaidForSegment && r.OnTime*100 >= d.PromptOnTimePercent*r.Paid:
		return SegmentPrompt
	case r.Paid >= d.MinPaidForSegment && r.Late*100 >= d.SlowLatePercent*r.Paid:
		return SegmentSlow
	}
	return SegmentStandard
}
