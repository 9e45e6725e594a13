package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/sendgrid/sendgrid-go/helpers/inbound"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/workflows"
)

const (
	// maxInboundBody bounds one Inbound Parse post: SendGrid takes
	// messages of up to 30 MB, attachments included.
	maxInboundBody = 32 << 20
	// inboundMemory is what a post's parts may take in memory; files
	// beyond it spill to temporary files, removed after the answer.
	inboundMemory = 1 << 20
	// maxReplyText is how much of a reply's text is kept.
	maxReplyText = 100_000
	// maxReplyListed bounds the recipients and attachments listed.
	maxReplyListed = 100
)

// InboundReceipt answers Inbound Parse.
type InboundReceipt struct {
	ReplyID string `json:"reply_id"`
}

// sendgridInbound takes a customer's reply as Inbound Parse posts it:
// parsed with sendgrid-go's helpers/inbound, stored as it came (store
// first: never lost), then its ReplyWorkflow started, which matches it,
// pauses the customer's reminders and tells the rep. The answer is quick:
// SendGrid retries whatever is not a 2xx, and a retry names the same
// reply (its Message-ID) and the same workflow.
func (h handlers) sendgridInbound(c echo.Context) error {
	if h.InboundSecret == "" || subtle.ConstantTimeCompare([]byte(c.Param("secret")), []byte(h.InboundSecret)) != 1 {
		return webhookNotConfigured()
	}
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxInboundBody)
	if err := req.ParseMultipartForm(inboundMemory); err != nil {
		// Over the route's limit, or text parts over what multipart holds
		// in memory (10 MiB beyond inboundMemory): too large either way.
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return tooLarge(maxInboundBody)
		}
		return badRequest(FieldProblem{"body", "must be multipart/form-data as SendGrid's Inbound Parse posts it"})
	}
	defer func() { _ = req.MultipartForm.RemoveAll() }()
	parsed, err := parseInbound(req)
	if err != nil {
		return badRequest(FieldProblem{"body", "is not an email as Inbound Parse posts it: " + err.Error()})
	}
	reply := replyOf(parsed, req)
	ctx := req.Context()
	if _, err := h.Store.AddReply(ctx, reply); err != nil {
		return err
	}
	_, err = h.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.ReplyWorkflowID(reply.ID), h.TaskQueue),
		workflows.ReplyWorkflow, workflows.ReplyInput{ReplyID: reply.ID})
	if err != nil && !alreadyStarted(err) {
		// SendGrid posts it again: the row is there, the start is retried.
		return fmt.Errorf("%w: start reply %s: %w", errUnavailable, reply.ID, err)
	}
	return c.JSON(http.StatusOK, InboundReceipt{ReplyID: reply.ID})
}

// parseInbound runs the helper on a form already parsed within our
// limits (it parses only when nobody has). The helper splits a raw MIME
// message (the "POST the raw message" setting, which we do not use)
// without checking it and would panic on one without a blank line.
func parseInbound(req *http.Request) (parsed *inbound.ParsedEmail, err error) {
	if raw := req.MultipartForm.Value["email"]; len(raw) > 0 && !strings.Contains(raw[0], "\n\n") {
		delete(req.MultipartForm.Value, "email")
	}
	defer func() {
		if recover() != nil {
			parsed, err = nil, errors.New("unreadable")
		}
	}()
	return inbound.Parse(req)
}

// replyOf is the reply as the store keeps it.
func replyOf(p *inbound.ParsedEmail, req *http.Request) credit.Reply {
	r := credit.Reply{
		Subject: safeText(p.ParsedValues["subject"], 1000),
		Text:    safeText(replyText(p), maxReplyText),
		Sender:  strings.ToLower(safeText(firstAddress(p.Envelope.From, p.ParsedValues["from"]), 320)),
	}
	var to []string
	for _, a := range p.Envelope.To {
		to = append(to, strings.ToLower(safeText(a, 320)))
	}
	if list, err := mail.ParseAddressList(p.ParsedValues["to"]); err == nil {
		for _, a := range list {
			to = append(to, strings.ToLower(safeText(a.Address, 320)))
		}
	}
	slices.Sort(to)
	r.To = slices.Compact(to)
	if len(r.To) > maxReplyListed {
		r.To = r.To[:maxReplyListed]
	}
	if r.To == nil {
		r.To = []string{}
	}
	fields := make([]string, 0, len(req.MultipartForm.File))
	for field := range req.MultipartForm.File {
		fields = append(fields, field)
	}
	slices.Sort(fields)
	for _, field := range fields {
		for _, f := range req.MultipartForm.File[field] {
			if len(r.Attachments) < maxReplyListed {
				r.Attachments = append(r.Attachments, credit.Attachment{Name: safeText(f.Filename, 255), Size: f.Size})
			}
		}
	}
	r.MessageID = safeText(header(p.Headers, "Message-ID"), 500)
	key := r.MessageID
	if key == "" {
		// No Message-ID: what the reply says names it, so that SendGrid
		// posting it again still names the same reply.
		sum := sha256.Sum256([]byte(r.Sender + "\x00" + strings.Join(r.To, ",") + "\x00" + r.Subject + "\x00" + r.Text))
		key = "digest:" + hex.EncodeToString(sum[:])
	}
	r.ID = workflows.ReplyID(key)
	return r
}

var htmlTag = regexp.MustCompile(`(?s)<[^>]*>`)

// replyText is the reply's plain text; an HTML-only reply loses its tags.
func replyText(p *inbound.ParsedEmail) string {
	if strings.TrimSpace(p.TextBody) != "" {
		return p.TextBody
	}
	for mediaType, body := range p.Body {
		if strings.HasPrefix(mediaType, "text/plain") {
			return body
		}
	}
	return htmlTag.ReplaceAllString(p.ParsedValues["html"], " ")
}

func firstAddress(envelope, header string) string {
	if envelope != "" {
		return envelope
	}
	if a, err := mail.ParseAddress(header); err == nil {
		return a.Address
	}
	return header
}

// header reads a header whatever its case ("Message-ID", "Message-Id").
func header(headers map[string]string, name string) string {
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
