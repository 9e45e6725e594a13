// Package email renders Creditflow's emails from templates; a Sender (the
// SendGrid one is in email/sendgrid) delivers them.
package email

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Kinds of email, as SendGrid categories and the outbox name them.
const (
	KindRequestReceived   = "request_received"
	KindRequestDecided    = "request_decided"
	KindReviewReminder    = "review_reminder"
	KindReviewEscalation  = "review_escalation"
	KindCourtesyNotice    = "courtesy_notice"
	KindInvoiceReminder   = "invoice_reminder"
	KindFinalNotice       = "final_notice"
	KindSalesEscalation   = "sales_escalation"
	KindEscalationOverdue = "escalation_overdue"
	KindCreditHold        = "credit_hold"
	KindHoldReleased      = "hold_released"
	KindPaymentReceived   = "payment_received"
	KindDisputeOpened     = "dispute_opened"
	// KindContactMissing tells the rep that SendGrid refused the billing
	// contact's address for good.
	KindContactMissing = "contact_missing"
	KindWeeklyDigest   = "weekly_digest"
	// KindSignIn carries a one-time link to sign in to the credit desk.
	KindSignIn = "sign_in"

	// An approval with conditions: the rep is reminded of what is
	// missing, and hears when the approval lapses.
	KindConditionsPending = "conditions_pending"
	KindApprovalLapsed    = "approval_lapsed"
	// KindLetterOfCreditExpiring tells credit and the rep that a letter
	// of credit holding an approval expires soon, or has expired.
	KindLetterOfCreditExpiring = "letter_of_credit_expiring"
	// KindComplaintOpened tells a complaint's owner of it (one about an
	// invoice is a dispute: KindDisputeOpened).
	KindComplaintOpened = "complaint_opened"
)

// Kinds lists the kinds the outbox is filtered by (the API document's
// EmailKind), for the desk's choice of them.
var Kinds = []string{KindRequestReceived, KindRequestDecided, KindReviewReminder, KindReviewEscalation,
	KindCourtesyNotice, KindInvoiceReminder, KindFinalNotice, KindSalesEscalation, KindEscalationOverdue,
	KindCreditHold, KindHoldReleased, KindPaymentReceived, KindDisputeOpened, KindContactMissing,
	KindWeeklyDigest, KindCustomerReplied, KindConditionsPending, KindApprovalLapsed, KindComplaintOpened, KindSignIn,
	KindLetterOfCreditExpiring}

// Message is one rendered email.
type Message struct {
	Key        string
	Kind       string
	From       string
	To         []string
	Subject    string
	Text       string
	HTML       string
	CustomArgs map[string]string
	// ReplyTo is where the customer's answer goes (Inbound Parse); empty:
	// to From.
	ReplyTo string
	// PerRecipient, when set, gives each address in To its own copy:
	// every key found in the subject or body is replaced by that
	// recipient's value (SendGrid's substitutions, one personalization
	// each), so that one email carries each reader their own link.
	PerRecipient map[string]map[string]string
}

//go:embed templates
var templates embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("").Option("missingkey=zero").Funcs(texttemplate.FuncMap{"lines": lines, "cells": cells}).ParseFS(templates, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Option("missingkey=zero").Funcs(htmltemplate.FuncMap{"lines": lines, "cells": cells}).ParseFS(templates, "templates/*.html"))
)

// lines splits a multi-line fact (reasons, conditions) for a list.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// cells splits a line of a list fact into its tab-separated cells (a
// customer email's invoices: number, balance, due date, how late).
func cells(line string) []string { return strings.Split(line, "\t") }

// ErrUnknownKind is returned for a kind with no template.
var ErrUnknownKind = errors.New("no template for this kind of email")

// Render fills the templates of kind with facts (a map of strings, or a
// struct for an email with lists, such as the weekly digest): the subject
// and text come from templates/KIND.txt ("subject" and "text" blocks), the
// HTML body from templates/KIND.html inside the common layout.
func Render(kind string, facts any) (subject, text, html string, err error) {
	if textTemplates.Lookup(kind+".subject") == nil {
		return "", "", "", fmt.Errorf("%w: %s", ErrUnknownKind, kind)
	}
	var b bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&b, kind+".subject", facts); err != nil {
		return "", "", "", fmt.Errorf("render %s subject: %w", kind, err)
	}
	subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := textTemplates.ExecuteTemplate(&b, kind+".text", facts); err != nil {
		return "", "", "", fmt.Errorf("render %s text: %w", kind, err)
	}
	text = strings.TrimSpace(b.String()) + "\n"
	b.Reset()
	if err := htmlTemplates.ExecuteTemplate(&b, kind+".html", facts); err != nil {
		return "", "", "", fmt.Errorf("render %s html: %w", kind, err)
	}
	body := htmltemplate.HTML(b.String()) // escaped by its own template
	b.Reset()
	if err := htmlTemplates.ExecuteTemplate(&b, "layout", struct {
		Subject string
		Body    htmltemplate.HTML
	}{subject, body}); err != nil {
		return "", "", "", fmt.Errorf("render %s layout: %w", kind, err)
	}
	return subject, text, b.String(), nil
}
