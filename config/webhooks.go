package config

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"regexp"

	"github.com/sendgrid/sendgrid-go/helpers/eventwebhook"
)

// minInboundSecret is the shortest URL secret accepted: it is all that
// stands between the internet and the customers' timelines.
const minInboundSecret = 16

var hostname = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// loadWebhooks reads the settings of SendGrid's two webhooks.
func (c *Config) loadWebhooks(get func(name, def string) string) error {
	if v := get("SENDGRID_WEBHOOK_PUBLIC_KEY", ""); v != "" {
		key, err := WebhookPublicKey(v)
		if err != nil {
			return fmt.Errorf("SENDGRID_WEBHOOK_PUBLIC_KEY: %w", err)
		}
		c.EventWebhookKey = key
	}
	switch {
	case (c.InboundSecret == "") != (c.InboundDomain == ""):
		return fmt.Errorf("CREDITFLOW_INBOUND_SECRET and CREDITFLOW_INBOUND_DOMAIN: set both or neither")
	case c.InboundSecret != "" && len(c.InboundSecret) < minInboundSecret:
		return fmt.Errorf("CREDITFLOW_INBOUND_SECRET: want at least %d characters", minInboundSecret)
	case c.InboundSecret != "" && !hostname.MatchString(c.InboundDomain):
		return fmt.Errorf("CREDITFLOW_INBOUND_DOMAIN: want a domain such as reply.example.com, got %q", c.InboundDomain)
	}
	return nil
}

// WebhookPublicKey reads the Event Webhook's verification key as SendGrid
// shows it (base64 of the DER public key). The type is checked first: the
// helper assumes an ECDSA key and would panic on another kind.
func WebhookPublicKey(b64 string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("not a public key: %w", err)
	}
	if _, ok := parsed.(*ecdsa.PublicKey); !ok {
		return nil, fmt.Errorf("want an ECDSA public key, got %T", parsed)
	}
	return eventwebhook.ConvertPublicKeyBase64ToECDSA(b64)
}
