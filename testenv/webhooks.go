package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Webhooks is SendGrid's side of Creditflow's two webhooks: the key pair
// of the signed Event Webhook (SendGrid keeps the private key and shows
// the public one) and the Inbound Parse settings.
type Webhooks struct {
	Key *ecdsa.PrivateKey
	// PublicKey is SENDGRID_WEBHOOK_PUBLIC_KEY: base64 DER, as SendGrid shows it.
	PublicKey     string
	InboundSecret string
	InboundDomain string
}

func newWebhooks(t testing.TB) *Webhooks {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &Webhooks{Key: key, PublicKey: base64.StdEncoding.EncodeToString(der),
		InboundSecret: "inbound-" + strings.ToLower(rand.Text()), InboundDomain: "reply.creditflow.test"}
}

// Env is the webhooks' configuration, for a `creditflow` process.
func (w *Webhooks) Env() []string {
	return []string{"SENDGRID_WEBHOOK_PUBLIC_KEY=" + w.PublicKey,
		"CREDITFLOW_INBOUND_SECRET=" + w.InboundSecret, "CREDITFLOW_INBOUND_DOMAIN=" + w.InboundDomain}
}

// Sign signs a post as SendGrid does: ECDSA over SHA-256 of the timestamp
// followed by the body, ASN.1, base64.
func (w *Webhooks) Sign(t testing.TB, body []byte, at time.Time) (signature, timestamp string) {
	t.Helper()
	timestamp = strconv.FormatInt(at.Unix(), 10)
	digest := sha256.Sum256(append([]byte(timestamp), body...))
	sig, err := ecdsa.SignASN1(rand.Reader, w.Key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig), timestamp
}

// PostEvents posts events (a value, sent as JSON, or raw bytes) to the
// Event Webhook, signed at the given time.
func (s *Service) PostEvents(t testing.TB, events any, signedAt time.Time) Response {
	t.Helper()
	body, ok := events.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(events); err != nil {
			t.Fatal(err)
		}
	}
	sig, ts := s.Webhooks.Sign(t, body, signedAt)
	return s.Call(t, http.MethodPost, "/webhooks/sendgrid/events", "", body,
		"X-Twilio-Email-Event-Webhook-Signature", sig, "X-Twilio-Email-Event-Webhook-Timestamp", ts)
}

// InboundEmail is an email Inbound Parse posts, in its default
// (parsed, not raw) format.
type InboundEmail struct {
	From, To, Subject, Text, MessageID string
	// Attachments by file name.
	Attachments map[string][]byte
}

// PostInbound posts an email to the Inbound Parse endpoint as SendGrid
// does: multipart/form-data with the envelope, headers and text.
func (s *Service) PostInbound(t testing.TB, secret string, m InboundEmail) Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	envelope, _ := json.Marshal(map[string]any{"from": m.From, "to": []string{m.To}})
	headers := "Received: by mx.sendgrid.net\nFrom: Customer <" + m.From + ">\nTo: " + m.To + "\nSubject: " + m.Subject + "\n"
	if m.MessageID != "" {
		headers += "Message-ID: " + m.MessageID + "\n"
	}
	info := map[string]any{}
	n := 0
	for name, content := range m.Attachments {
		n++
		field := "attachment" + strconv.Itoa(n)
		info[field] = map[string]string{"filename": name, "name": name, "type": "application/pdf"}
		part, err := w.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(content)
	}
	infoJSON, _ := json.Marshal(info)
	for _, f := range [][2]string{
		{"headers", headers}, {"from", "Customer <" + m.From + ">"}, {"to", m.To}, {"subject", m.Subject},
		{"text", m.Text}, {"envelope", string(envelope)}, {"charsets", `{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}`},
		{"SPF", "pass"}, {"dkim", "{@example.com : pass}"}, {"attachments", strconv.Itoa(n)}, {"attachment-info", string(infoJSON)},
	} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/webhooks/sendgrid/inbound/"+secret, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
