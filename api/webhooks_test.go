package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// The webhooks' tests post as SendGrid does: events signed with a test
// key pair, replies as Inbound Parse's multipart form.

// reminderOf issues an invoice to a prompt payer whose day-31 reminder
// goes out within seconds, and returns the reminder as SendGrid got it.
func reminderOf(t *testing.T, svc *testenv.Service, number string) (credit.Invoice, testenv.SentMail, string) {
	t.Helper()
	account := newAccount(t, svc, 100000, 3)
	inv := issueInvoice(t, svc, account, number, "1200.00", 29)
	waitForEmails(t, svc, inv.ID, 1)
	for _, m := range svc.SendGrid.OfKind("invoice_reminder") {
		if m.CustomArgs["invoice_id"] == inv.ID {
			return inv, m, account
		}
	}
	t.Fatal("no reminder")
	return inv, testenv.SentMail{}, ""
}

func countEvents(t *testing.T, svc *testenv.Service) int {
	t.Helper()
	var n int
	require.NoError(t, svc.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM email_events`).Scan(&n))
	return n
}

// items reads a page of a list the API answers, as a user.
func items[T any](t *testing.T, svc *testenv.Service, path, as string) []T {
	t.Helper()
	var page struct {
		Items []T `json:"items"`
	}
	resp := svc.Call(t, http.MethodGet, path, as, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &page)
	return page.Items
}

func timeline(t *testing.T, svc *testenv.Service, accountID string) []credit.TimelineEntry {
	return items[credit.TimelineEntry](t, svc, "/api/v1/accounts/"+accountID+"/timeline?limit=200", testenv.Analyst)
}

func timelineKinds(entries []credit.TimelineEntry, kind string) []credit.TimelineEntry {
	var out []credit.TimelineEntry
	for _, e := range entries {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// find is the item of a list that matches.
func find[T any](t *testing.T, list []T, match func(T) bool, what string) T {
	t.Helper()
	for _, x := range list {
		if match(x) {
			return x
		}
	}
	t.Fatalf("no %s", what)
	var zero T
	return zero
}

func outboxEmail(t *testing.T, svc *testenv.Service, key string) store.OutboxEmail {
	t.Helper()
	return find(t, items[store.OutboxEmail](t, svc, "/api/v1/emails?limit=200", testenv.Admin),
		func(e store.OutboxEmail) bool { return e.Key == key }, "email "+key+" in the outbox")
}

func TestDeliveryEventsAreVerifiedAndRecordedOnce(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second, Webhooks: true})
	_, m, _ := reminderOf(t, svc, "EV-1")
	key := m.CustomArgs["email_key"]
	now := time.Now()

	batch := []map[string]any{
		m.Event("processed", "ev-processed-1", now.Add(-3*time.Second)),
		m.Event("delivered", "ev-delivered-1", now.Add(-2*time.Second)),
		m.Event("open", "ev-open-1", now.Add(-time.Second)),
		{"email": "x@example.com", "event": "delivered", "sg_event_id": "ev-unknown-key", "timestamp": now.Unix(), "email_key": "invoice/nobody/day-1-reminder"},
		{"email": "y@example.com", "event": "delivered", "sg_event_id": "ev-no-key", "timestamp": now.Unix()},
	}
	resp := svc.PostEvents(t, batch, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, map[string]any{"events": 5.0, "ignored": 0.0}, resp.Map(t))
	require.Equal(t, 5, countEvents(t, svc))
	e := outboxEmail(t, svc, key)
	require.Equal(t, "open", e.Delivery, "the furthest the email got")
	require.NotNil(t, e.DeliveryAt)

	// SendGrid posting the same batch again records nothing twice, and
	// a late "delivered" does not take the email back from "open".
	resp = svc.PostEvents(t, batch, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, 5, countEvents(t, svc), "recorded once by sg_event_id")
	require.Equal(t, "open", outboxEmail(t, svc, key).Delivery)

	// Unsigned, signed by another key, tampered with, or stale: 401, and
	// nothing recorded.
	another := []map[string]any{m.Event("click", "ev-click-1", now)}
	unsigned := svc.Call(t, http.MethodPost, "/webhooks/sendgrid/events", "", another)
	requireProblemStatus(t, unsigned, http.StatusUnauthorized, "unsigned")
	body := `[{"event":"click","sg_event_id":"ev-click-1","email_key":"` + key + `","timestamp":1}]`
	sig, ts := svc.Webhooks.Sign(t, []byte(body), now)
	tampered := strings.Replace(body, "click", "bounce", 1)
	resp = svc.Call(t, http.MethodPost, "/webhooks/sendgrid/events", "", tampered,
		"X-Twilio-Email-Event-Webhook-Signature", sig, "X-Twilio-Email-Event-Webhook-Timestamp", ts)
	requireProblemStatus(t, resp, http.StatusUnauthorized, "tampered")
	resp = svc.Call(t, http.MethodPost, "/webhooks/sendgrid/events", "", body,
		"X-Twilio-Email-Event-Webhook-Signature", "bm90IGEgc2lnbmF0dXJl", "X-Twilio-Email-Event-Webhook-Timestamp", ts)
	requireProblemStatus(t, resp, http.StatusUnauthorized, "not a signature")
	stale := svc.PostEvents(t, another, now.Add(-11*time.Minute))
	requireProblemStatus(t, stale, http.StatusUnauthorized, "older than 10 minutes")
	require.Contains(t, stale.Map(t)["detail"], "10 minutes")
	require.Equal(t, 5, countEvents(t, svc), "nothing recorded from a post that does not verify")

	// Signed, but not a JSON array: 400, not 500.
	for _, bad := range []string{`{"event":"open"}`, `[{"event":`, `[1, "x", {"event": 7}]`} {
		resp := svc.PostEvents(t, []byte(bad), now)
		require.Less(t, resp.Status, 500, "%s: %s", bad, resp.Body)
	}
}

// A customer's reminder bounces minutes after SendGrid accepted it: the
// rep is asked for the right address once, however many bounces, drops
// and retried posts follow; the invoice's step says it was not
// delivered; a spam report is shown to credit on the timeline.
func TestABouncedReminderAsksTheRepForTheAddressOnce(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second, Webhooks: true})
	inv, m, account := reminderOf(t, svc, "BOUNCE-1")
	require.Empty(t, svc.SendGrid.OfKind("contact_missing"), "SendGrid took the reminder with a 202")
	now := time.Now()

	bounce := []map[string]any{m.Event("delivered", "ev-d", now.Add(-time.Minute)), m.Event("bounce", "ev-b1", now)}
	for range 2 {
		resp := svc.PostEvents(t, bounce, now)
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	}
	resp := svc.PostEvents(t, []map[string]any{m.Event("dropped", "ev-dr", now), m.Event("bounce", "ev-b2", now)}, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

	asked := workflows.ContactMissingWorkflowID(account, billing)
	testenv.Eventually(t, 30*time.Second, "the request to the rep to be done", func() bool {
		d, err := svc.Temporal.DescribeWorkflowExecution(context.Background(), asked, "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
	sent := svc.SendGrid.OfKind("contact_missing")
	require.Len(t, sent, 1, "once per address")
	require.Equal(t, []string{testenv.Rep}, sent[0].To())
	require.Contains(t, sent[0].Text(), "our email to "+billing+" bounced: 550 5.1.1")
	require.Equal(t, inv.ID, sent[0].CustomArgs["invoice_id"])

	got := readInvoice(t, svc, inv.ID)
	require.Len(t, got.StepsTaken, 1)
	require.Contains(t, got.StepsTaken[0].Outcome, "not delivered: bounced")
	require.Equal(t, "bounce", got.StepsTaken[0].Delivery)
	require.Equal(t, "bounce", outboxEmail(t, svc, m.CustomArgs["email_key"]).Delivery)

	resp = svc.PostEvents(t, []map[string]any{m.Event("spamreport", "ev-spam", now)}, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	entries := timeline(t, svc, account)
	require.Len(t, timelineKinds(entries, "email_bounce"), 2, "each bounce event once: %v", entries)
	require.Len(t, timelineKinds(entries, "email_dropped"), 1)
	spam := timelineKinds(entries, "email_spamreport")
	require.Len(t, spam, 1)
	require.Equal(t, billing+" marked our invoice reminder as spam", spam[0].Summary)
	record(t, svc, asked, "contact_missing_bounce")
}

// SendGrid posts 10,000 events in one call: the API, a process of its
// own, verifies and records them in bounded time and memory.
func TestTenThousandEventsInOneCall(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second, Webhooks: true})
	_, m, _ := reminderOf(t, svc, "FLOOD-1")
	proc := svc.StartAPIProcess(t, svc.Webhooks.Env()...)
	now := time.Now()
	warm := proc.PostEvents(t, []map[string]any{m.Event("processed", "warm-up", now)}, now)
	require.Equal(t, http.StatusOK, warm.Status, string(warm.Body))

	events := make([]map[string]any, 0, 10_000)
	for k := range 10_000 {
		ev := m.Event([]string{"delivered", "open", "click", "deferred"}[k%4], fmt.Sprintf("flood-%05d", k), now.Add(-time.Duration(k)*time.Millisecond))
		if k%2 == 1 {
			ev["email_key"] = fmt.Sprintf("invoice/inv_elsewhere/day-%d-reminder", k)
		}
		events = append(events, ev)
	}
	before := proc.ResidentMemory(t)
	start := time.Now()
	resp := proc.PostEvents(t, events, now)
	took := time.Since(start)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	grew := proc.ResidentMemory(t) - before
	t.Logf("10,000 events (%d KiB) recorded in %s; the API's resident memory grew by %.1f MiB",
		len(mustJSON(t, events))>>10, took.Round(time.Millisecond), float64(grew)/(1<<20))
	require.Equal(t, 10_001, countEvents(t, svc))
	require.Less(t, took, 15*time.Second, "within the API's request deadline")
	require.Less(t, grew, int64(32<<20), "bounded by the 16 MiB body, not by the events")
	require.Equal(t, "click", outboxEmail(t, svc, m.CustomArgs["email_key"]).Delivery)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// Without SENDGRID_WEBHOOK_PUBLIC_KEY and CREDITFLOW_INBOUND_*, both
// endpoints are paths that do not exist.
func TestUnconfiguredWebhooksAreNotFound(t *testing.T) {
	for _, path := range []string{"/webhooks/sendgrid/events", "/webhooks/sendgrid/inbound/anything", "/webhooks/sendgrid/inbound/"} {
		rec := httptest.NewRecorder()
		router().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(`[]`)))
		require.Equal(t, http.StatusNotFound, rec.Code, path)
	}
}

func listReplies(t *testing.T, svc *testenv.Service, as, query string) []credit.Reply {
	return items[credit.Reply](t, svc, "/api/v1/replies"+query, as)
}

func readReply(t *testing.T, svc *testenv.Service, id string) credit.Reply {
	t.Helper()
	return find(t, listReplies(t, svc, testenv.Analyst, "?limit=200"), func(r credit.Reply) bool { return r.ID == id }, "reply "+id)
}

// A customer answers the courtesy notice: the reply, posted by Inbound
// Parse, lands on the account's timeline, pauses that customer's
// reminders and tells the rep; marking it read resumes them. SendGrid
// posting it again changes nothing; a reply whose token does not verify
// is matched by its sender, or kept for an admin.
func TestACustomerReplyPausesRemindersUntilItIsRead(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: 2 * time.Second, Webhooks: true})
	account := newAccount(t, svc, 100000, 0) // standard: a courtesy notice on day 27
	inv := issueInvoice(t, svc, account, "REPLY-1", "900.00", 26)
	waitForEmails(t, svc, inv.ID, 1)
	notice := svc.SendGrid.OfKind("courtesy_notice")[0]
	replyTo := notice.ReplyTo.Email
	local, domain, _ := strings.Cut(replyTo, "@")
	require.Equal(t, svc.Webhooks.InboundDomain, domain)
	require.True(t, strings.HasPrefix(local, "reply+"), replyTo)
	require.LessOrEqual(t, len(local), 64, "an email address's local part")
	require.Equal(t, strings.ToLower(local), local, "mail servers may change the case")
	require.Contains(t, notice.Text(), "our reminders wait until our credit team has read your answer",
		"the notice promises what the service does")

	answer := testenv.InboundEmail{From: billing, To: replyTo, Subject: "Re: " + notice.Subject,
		Text: "We never received the goods of this invoice.\nPlease check with your warehouse.", MessageID: "<answer-1@customer.example>",
		Attachments: map[string][]byte{"delivery-note.pdf": make([]byte, 2048)}}
	resp := svc.PostInbound(t, "wrong-"+svc.Webhooks.InboundSecret, answer)
	requireProblemStatus(t, resp, http.StatusNotFound, "a wrong secret")
	resp = svc.PostInbound(t, svc.Webhooks.InboundSecret, answer)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	replyID, _ := resp.Map(t)["reply_id"].(string)
	require.NotEmpty(t, replyID)

	var reply credit.Reply
	testenv.Eventually(t, 20*time.Second, "the reply to pause the invoice", func() bool {
		reply = readReply(t, svc, replyID)
		return reply.PauseUntil != nil
	})
	require.Equal(t, credit.ReplyUnread, reply.Status)
	require.Equal(t, account, reply.AccountID)
	require.Equal(t, credit.MatchedByToken, reply.MatchedBy)
	require.Equal(t, notice.CustomArgs["email_key"], reply.EmailKey, "the email it answers")
	require.True(t, strings.HasPrefix(reply.EmailKey, "customer-day/"+account+"/"), "the account's email of the day: %s", reply.EmailKey)
	require.Equal(t, billing, reply.Sender)
	require.Equal(t, []credit.Attachment{{Name: "delivery-note.pdf", Size: 2048}}, reply.Attachments)
	require.Contains(t, reply.Text, "never received the goods")

	entries := timelineKinds(timeline(t, svc, account), "customer_reply")
	require.Len(t, entries, 1)
	require.Contains(t, entries[0].Summary, "Reply from "+billing)
	require.Contains(t, entries[0].Summary, "never received the goods")
	require.Contains(t, entries[0].Summary, "delivery-note.pdf (2.0 KiB)")
	testenv.Eventually(t, 20*time.Second, "the rep to hear of it", func() bool {
		return len(svc.SendGrid.OfKind("customer_replied")) == 1
	})
	told := svc.SendGrid.OfKind("customer_replied")[0]
	require.Equal(t, []string{testenv.Rep}, told.To())
	require.Contains(t, told.Text(), "never received the goods")
	require.Empty(t, told.ReplyTo.Email, "emails to the rep carry no reply-to")

	paused := readInvoice(t, svc, inv.ID)
	require.NotNil(t, paused.NextStep)
	require.Equal(t, "reminder", paused.NextStep.Action)
	require.Contains(t, paused.NextStep.Reason, "waiting: the customer replied")
	require.Nil(t, paused.NextStep.At, "paused: no date until the reply is read")
	require.Equal(t, []string{"courtesy_notice"}, kinds(svc, inv.ID), "no reminder while the reply waits")

	// SendGrid posting the same email again: the same reply, nothing twice.
	resp = svc.PostInbound(t, svc.Webhooks.InboundSecret, answer)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, replyID, resp.Map(t)["reply_id"])

	// A sales rep does not mark replies read; credit does, and the
	// reminders resume.
	resp = svc.Call(t, http.MethodPost, "/api/v1/replies/"+replyID+"/read", testenv.Rep, nil)
	requireProblemStatus(t, resp, http.StatusForbidden, "sales")
	resp = svc.Call(t, http.MethodPost, "/api/v1/replies/"+replyID+"/read", testenv.Analyst, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &reply)
	require.Equal(t, credit.ReplyRead, reply.Status)
	require.Equal(t, testenv.Analyst, reply.ReadBy)
	readAt := time.Now()
	resumed := readInvoice(t, svc, inv.ID)
	require.NotNil(t, resumed.NextStep.At, "dated again: %+v", resumed.NextStep)
	require.NotContains(t, resumed.NextStep.Reason, "waiting")
	waitForEmails(t, svc, inv.ID, 2)
	require.Equal(t, []string{"courtesy_notice", "invoice_reminder"}, kinds(svc, inv.ID))
	// The day's email records its steps once it has gone.
	var steps []credit.DunningStep
	testenv.Eventually(t, 10*time.Second, "the reminder's step recorded", func() bool {
		steps = readInvoice(t, svc, inv.ID).StepsTaken
		return len(steps) == 2
	})
	require.Equal(t, "reminder", steps[1].Action)
	require.True(t, steps[1].At.After(readAt.Add(-time.Second)), "the reminder went out after the reply was read (at %s): %+v", readAt, steps)
	require.Len(t, svc.SendGrid.OfKind("customer_replied"), 1, "the rep was told once")
	require.Len(t, listReplies(t, svc, testenv.Admin, ""), 1, "one reply, however often SendGrid posts it")

	// A token that does not verify: matched by its sender's address.
	forged := "reply+" + strings.Repeat("a", 32) + "@" + svc.Webhooks.InboundDomain
	resp = svc.PostInbound(t, svc.Webhooks.InboundSecret, testenv.InboundEmail{From: strings.ToUpper(billing), To: forged,
		Subject: "Payment", Text: "Paid today.", MessageID: "<answer-2@customer.example>"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	bySender, _ := resp.Map(t)["reply_id"].(string)
	// From nobody we know: kept for an admin.
	resp = svc.PostInbound(t, svc.Webhooks.InboundSecret, testenv.InboundEmail{From: "stranger@elsewhere.example", To: forged,
		Subject: "Hello", Text: "Who are you?"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	stranger, _ := resp.Map(t)["reply_id"].(string)
	testenv.Eventually(t, 20*time.Second, "both replies to be matched", func() bool {
		return readReply(t, svc, bySender).Status != credit.ReplyReceived && readReply(t, svc, stranger).Status != credit.ReplyReceived
	})
	require.Equal(t, credit.MatchedBySender, readReply(t, svc, bySender).MatchedBy)
	require.Equal(t, account, readReply(t, svc, bySender).AccountID)
	unmatched := listReplies(t, svc, testenv.Admin, "?status=unmatched")
	require.Len(t, unmatched, 1)
	require.Equal(t, stranger, unmatched[0].ID)
	require.Empty(t, unmatched[0].AccountID)

	resp = svc.Call(t, http.MethodPost, "/api/v1/replies/"+bySender+"/read", testenv.CreditManager, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	pay(t, svc, inv.ID, "900.00")
	record(t, svc, workflows.ReplyWorkflowID(replyID), "reply_read")
	record(t, svc, workflows.ReplyWorkflowID(stranger), "reply_unmatched")
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_reply_paused_read_paid")
}

// What reaches the webhooks from the internet is never a 500: bodies that
// are not what SendGrid posts, too big, or built to trip the helpers.
func TestHostileWebhookPostsAreRefusedNeverFailed(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Webhooks: true})
	inboundURL := "/webhooks/sendgrid/inbound/" + svc.Webhooks.InboundSecret
	multipartBody := func(fields map[string]string, file bool) (string, string) {
		var b strings.Builder
		w := multipart.NewWriter(&b)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		if file {
			f, _ := w.CreateFormFile("attachment1", "x.pdf")
			_, _ = f.Write([]byte("%PDF"))
		}
		_ = w.Close()
		return b.String(), w.FormDataContentType()
	}
	for name, c := range map[string]struct {
		fields map[string]string
		file   bool
	}{
		"raw email without a blank line":     {map[string]string{"email": "Subject: x"}, false},
		"raw email, multipart without parts": {map[string]string{"email": "Content-Type: multipart/mixed; boundary=b\n\n--b--"}, false},
		"envelope that is not JSON":          {map[string]string{"envelope": "{", "text": "hi"}, false},
		"attachment without attachment-info": {map[string]string{"attachment-info": `{"other":{}}`, "text": "hi"}, true},
		"NUL and invalid UTF-8":              {map[string]string{"text": "a\x00b\xff", "subject": "\x00", "from": "\xff@x", "headers": "Message-ID: <\x00>"}, false},
	} {
		body, contentType := multipartBody(c.fields, c.file)
		resp := svc.Call(t, http.MethodPost, inboundURL, "", body, "Content-Type", contentType)
		require.Less(t, resp.Status, 500, "%s: %s", name, resp.Body)
	}
	resp := svc.Call(t, http.MethodPost, inboundURL, "", `{"text":"hi"}`)
	requireProblemStatus(t, resp, http.StatusBadRequest, "not multipart")

	// Bodies beyond each route's limit: refused before they are held.
	big := func(n int) io.Reader { return io.LimitReader(repeatReader('x'), int64(n)) }
	req, err := http.NewRequest(http.MethodPost, svc.URL+inboundURL, io.MultiReader(
		strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"), big(33<<20)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	if r, err := http.DefaultClient.Do(req); err == nil { // or the connection was closed: refused too
		r.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	}
	now := time.Now()
	sig, ts := svc.Webhooks.Sign(t, []byte("x"), now)
	req, err = http.NewRequest(http.MethodPost, svc.URL+"/webhooks/sendgrid/events", big(17<<20))
	require.NoError(t, err)
	req.Header.Set("X-Twilio-Email-Event-Webhook-Signature", sig)
	req.Header.Set("X-Twilio-Email-Event-Webhook-Timestamp", ts)
	if r, err := http.DefaultClient.Do(req); err == nil {
		r.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	}
	for _, ts := range []string{"", "yesterday", "-1", "99999999999999999999"} {
		resp := svc.Call(t, http.MethodPost, "/webhooks/sendgrid/events", "", "[]",
			"X-Twilio-Email-Event-Webhook-Signature", sig, "X-Twilio-Email-Event-Webhook-Timestamp", ts)
		requireProblemStatus(t, resp, http.StatusUnauthorized, ts)
	}
}
