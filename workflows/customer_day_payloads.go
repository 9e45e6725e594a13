package workflows

import "time"

// The types below cross CustomerDayWorkflow's boundary: the step an
// invoice hands to its account's email of the day, and what the day's
// email is made of.

// CustomerStepSignal brings an invoice's customer step to its account's
// email of the day.
const CustomerStepSignal = "customer-step"

// CustomerDayWorkflowID names an account's customer email of one day:
// every invoice whose customer step falls on that date joins it.
func CustomerDayWorkflowID(accountID, date string) string {
	return "customer-day/" + accountID + "/" + date
}

// CustomerDayInput starts an account's email of the day. Date is the
// customer's calendar date (YYYY-MM-DD); Window is how long the email
// waits, from its first step, for the day's other steps.
type CustomerDayInput struct {
	AccountID string        `json:"account_id"`
	Date      string        `json:"date"`
	Window    time.Duration `json:"window"`
}

// CustomerStep is an invoice's customer-facing step (courtesy notice,
// reminder, final notice) handed to the day's email. Key is the step's
// record key (the invoice's workflow id and the step): the day's email
// records the step under it, with what became of it.
type CustomerStep struct {
	Key         string      `json:"key"`
	InvoiceID   string      `json:"invoice_id"`
	Kind        string      `json:"kind"`
	DaysPastDue int         `json:"days_past_due"`
	Step        DunningStep `json:"step"`
}

// JoinCustomerDayInput asks JoinCustomerDay to hand a step to the day's
// email, starting the email's workflow if it is the day's first.
type JoinCustomerDayInput struct {
	Day  CustomerDayInput `json:"day"`
	Step CustomerStep     `json:"step"`
}

// ComposeCustomerEmailInput asks which of a round's invoices are still
// owed, re-read when the email is about to go.
type ComposeCustomerEmailInput struct {
	AccountID string         `json:"account_id"`
	Steps     []CustomerStep `json:"steps"`
}

// CustomerInvoice is one invoice as the day's email lists it.
type CustomerInvoice struct {
	InvoiceID   string `json:"invoice_id"`
	Number      string `json:"number"`
	Amount      Money  `json:"amount"`
	Balance     Money  `json:"balance"`
	DueDate     string `json:"due_date"`
	DaysPastDue int    `json:"days_past_due"`
}

// CustomerEmailDraft is a round's email before it goes: the invoices
// still owed, in the order the email lists them, and those that drop out
// (settled or disputed since their step).
type CustomerEmailDraft struct {
	Owed    []CustomerInvoice `json:"owed"`
	Dropped []DroppedInvoice  `json:"dropped,omitempty"`
}

// DroppedInvoice is an invoice left out of the day's email, and why:
// "nothing is owed any more", "the invoice is disputed".
type DroppedInvoice struct {
	InvoiceID string `json:"invoice_id"`
	Why       string `json:"why"`
}

// CustomerEmail asks SendCustomerEmail for one email to the account's
// billing contact listing every invoice in it. Kind is the most pressing
// of its steps' kinds.
type CustomerEmail struct {
	Key       string            `json:"key"`
	AccountID string            `json:"account_id"`
	Kind      string            `json:"kind"`
	Invoices  []CustomerInvoice `json:"invoices"`
}

// RecordStepsInput keeps the steps a day's email took, in one go.
type RecordStepsInput struct {
	Steps []StepRecord `json:"steps"`
}
