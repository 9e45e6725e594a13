package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

func publicKey(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(der)
}

func TestWebhooksAreOffUnlessConfigured(t *testing.T) {
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Nil(t, c.EventWebhookKey)
	require.Empty(t, c.InboundSecret)
}

func TestWebhookSettings(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	c, err := Load(env(map[string]string{"SENDGRID_WEBHOOK_PUBLIC_KEY": publicKey(t, &ec.PublicKey),
		"CREDITFLOW_INBOUND_SECRET": "0123456789abcdef", "CREDITFLOW_INBOUND_DOMAIN": "reply.example.com"}))
	require.NoError(t, err)
	require.True(t, c.EventWebhookKey.Equal(&ec.PublicKey))
	require.Equal(t, "reply.example.com", c.InboundDomain)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	for name, vars := range map[string]map[string]string{
		"SENDGRID_WEBHOOK_PUBLIC_KEY":                   {"SENDGRID_WEBHOOK_PUBLIC_KEY": "not base64!"},
		"SENDGRID_WEBHOOK_PUBLIC_KEY: not a public key": {"SENDGRID_WEBHOOK_PUBLIC_KEY": "bm90IGEga2V5"},
		"SENDGRID_WEBHOOK_PUBLIC_KEY: want an ECDSA":    {"SENDGRID_WEBHOOK_PUBLIC_KEY": publicKey(t, &rsaKey.PublicKey)},
		"set both or neither":                           {"CREDITFLOW_INBOUND_SECRET": "0123456789abcdef"},
		"CREDITFLOW_INBOUND_SECRET: want at least":      {"CREDITFLOW_INBOUND_SECRET": "short", "CREDITFLOW_INBOUND_DOMAIN": "reply.example.com"},
		"CREDITFLOW_INBOUND_DOMAIN: want a domain":      {"CREDITFLOW_INBOUND_SECRET": "0123456789abcdef", "CREDITFLOW_INBOUND_DOMAIN": "not a domain"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(env(vars))
			require.ErrorContains(t, err, name)
		})
	}
}
