package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// SendGrid's webhooks are outside /api/v1 and its bearer tokens: each is
// its own authentication (the Event Webhook's signature, the secret in
// Inbound Parse's URL), and each reads its own body within its own limit.
// Unconfigured, each answers 404, as a path that does not exist.
const (
	eventsPath  = "/webhooks/sendgrid/events"
	inboundPath = "/webhooks/sendgrid/inbound/:secret"

	// maxEventsBody bounds one post of the Event Webhook. SendGrid posts
	// batches of up to a few thousand events (about 1 KiB each); the
	// signature covers the raw bytes, so they are held while verified.
	maxEventsBody = 16 << 20
	// eventsChunk is how many events are recorded together: the decoder
	// holds one chunk at a time, however long the batch.
	eventsChunk = 1000
	// maxEventAge refuses a replayed post: SendGrid signs the time it
	// sends, and a captured post is no good ten minutes later.
	maxEventAge = 10 * time.Minute
)

// EventsReport answers the Event Webhook: how many events the post
// carried, and how many could not be read (kept nowhere, logged).
type EventsReport struct {
	Events  int `json:"events"`
	Ignored int `json:"ignored"`
}

func webhookNotConfigured() *Problem {
	return problem(http.StatusNotFound, "not-found", "Not found", "no such path")
}

func badSignature(detail string) *Problem {
	return problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", detail)
}

// sendgridEvents takes a batch of SendGrid's Event Webhook: verified
// against SENDGRID_WEBHOOK_PUBLIC_KEY and its timestamp, then decoded as a
// stream and recorded a chunk at a time (store.RecordEmailEvents); a
// customer email SendGrid could not deliver asks the rep for the right
// address (ContactMissingWorkflow, once per account and address). Events
// are recorded once by sg_event_id, so SendGrid retrying a batch we did
// not answer in time records nothing twice.
func (h handlers) sendgridEvents(c echo.Context) error {
	if h.EventWebhookKey == nil {
		return webhookNotConfigured()
	}
	req := c.Request()
	signature := req.Header.Get(eventwebhook.VerificationHTTPHeader)
	timestamp := req.Header.Get(eventwebhook.TimestampHTTPHeader)
	if signature == "" || timestamp == "" {
		return badSignature("send SendGrid's signed Event Webhook: " + eventwebhook.VerificationHTTPHeader + " and " + eventwebhook.TimestampHTTPHeader)
	}
	sent, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return badSignature(eventwebhook.TimestampHTTPHeader + " is not a Unix time")
	}
	if age := h.Now().Sub(time.Unix(sent, 0)); age > maxEventAge || age < -maxEventAge {
		return badSignature("the signature's timestamp is more than 10 minutes away from now")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxEventsBody))
	if err != nil {
		return readProblem(err, maxEventsBody)
	}
	if !verifySignature(h.EventWebhookKey, body, signature, timestamp) {
		return badSignature("the signature does not verify with SENDGRID_WEBHOOK_PUBLIC_KEY")
	}
	report, err := h.recordEvents(req.Context(), body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}

// verifySignature runs sendgrid-go's check; a signature that is not even
// ASN.1 is a wrong one, as is anything that makes the helper panic.
func verifySignature(key *ecdsa.PublicKey, body []byte, signature, timestamp string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	ok, err := eventwebhook.VerifySignature(key, body, signature, timestamp)
	return err == nil && ok
}

// sendgridEvent is what Creditflow reads of one event; custom_args come
// back as top-level fields.
type sendgridEvent struct {
	Email     string `json:"email"`
	Timestamp int64  `json:"timestamp"`
	Event     string `json:"event"`
	SGEventID string `json:"sg_event_id"`
	Reason    string `json:"reason"`
	Response  string `json:"response"`
	EmailKey  string `json:"email_key"`
}

// recordEvents decodes the JSON array element by element and records the
// events a chunk at a time. An element that is not an event object is
// counted and skipped: the batch is signed by SendGrid, and refusing it
// whole would have SendGrid retry the good events with it for days.
func (h handlers) recordEvents(ctx context.Context, body []byte) (EventsReport, error) {
	var report EventsReport
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return report, badRequest(FieldProblem{"body", "must be a JSON array of events"})
	}
	chunk := make([]store.EmailEvent, 0, eventsChunk)
	asked := map[string]bool{}
	flush := func() error {
		if err := h.recordChunk(ctx, chunk, asked); err != nil {
			return err
		}
		chunk = chunk[:0]
		return nil
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return report, badRequest(FieldProblem{fmt.Sprintf("body[%d]", report.Events), "is not JSON"})
		}
		report.Events++
		var ev sendgridEvent
		if err := json.Unmarshal(raw, &ev); err != nil || ev.Event == "" {
			report.Ignored++
			h.Logger.Warn("sendgrid event not read", "index", report.Events-1, "error", err)
			continue
		}
		chunk = append(chunk, eventRow(ev, raw, h.Now()))
		if len(chunk) == eventsChunk {
			if err := flush(); err != nil {
				return report, err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return report, badRequest(FieldProblem{"body", "the JSON array ends too early"})
	}
	return report, flush()
}

// recordChunk records a chunk of events and asks the reps for the
// addresses SendGrid could not deliver to, once per account and address
// in this post (and, by the workflow's id, ever).
func (h handlers) recordChunk(ctx context.Context, chunk []store.EmailEvent, asked map[string]bool) error {
	undelivered, err := h.Store.RecordEmailEvents(ctx, chunk, email.IsCustomerKind)
	if err != nil {
		return err
	}
	for _, u := range undelivered {
		if u.InvoiceID == "" || asked[u.AccountID+"\x00"+u.Address] {
			continue
		}
		asked[u.AccountID+"\x00"+u.Address] = true
		in := workflows.ContactMissingInput{AccountID: u.AccountID, InvoiceID: u.InvoiceID, Address: u.Address,
			Event: u.Event, Reason: u.Reason, EmailKey: u.EmailKey}
		_, err := h.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.ContactMissingWorkflowID(u.AccountID, u.Address), h.TaskQueue),
			workflows.ContactMissingWorkflow, in)
		if err != nil && !alreadyStarted(err) {
			// SendGrid retries the batch: the events are recorded once, and
			// the retry starts what this post could not.
			return fmt.Errorf("%w: ask the rep of %s for a contact: %w", errUnavailable, u.AccountID, err)
		}
	}
	return nil
}

// eventRow is an event as the store keeps it: text made safe for
// Postgres (valid UTF-8, no NUL) and bounded.
func eventRow(ev sendgridEvent, raw []byte, now time.Time) store.EmailEvent {
	id := ev.SGEventID
	if id == "" {
		// Without SendGrid's id, the event's own bytes name it.
		sum := sha256.Sum256(raw)
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	reason := ev.Reason
	if reason == "" {
		reason = ev.Response
	}
	at := now
	if ev.Timestamp > 0 && ev.Timestamp < 1<<40 {
		at = time.Unix(ev.Timestamp, 0)
	}
	return store.EmailEvent{ID: safeText(id, 200), EmailKey: safeText(ev.EmailKey, 500), Event: safeText(ev.Event, 64),
		Recipient: safeText(ev.Email, 320), Reason: safeText(reason, 500), At: at}
}

// safeText is s as Postgres can store it, at most n bytes.
func safeText(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
