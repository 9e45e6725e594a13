package workflows

import "time"

// SignInEmailInput asks for one sign-in email. It names the link by its
// id only: the activity signs the link as it renders the email, so the
// token that signs in is never written into the workflow's history.
type SignInEmailInput struct {
	LinkID string `json:"link_id"`
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	// Next is the desk's page the person asked for before signing in,
	// where the link leads them after.
	Next string `json:"next,omitempty"`
	// ValidFor is how long the link works: sending it later is no use.
	ValidFor time.Duration `json:"valid_for"`
}

// SignInLinkIDArg names the sign-in link in an Email's IDs (and so in
// SendGrid's custom_args).
const SignInLinkIDArg = "sign_in_link_id"
