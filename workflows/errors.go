package workflows

import "go.temporal.io/sdk/temporal"

// Error types: the type names of the application errors that workflows
// and activities return for what retrying cannot change. The API maps the
// first three to HTTP statuses; workflows and tests match the others.
const (
	ErrTypeConflict  = "Conflict"  // 409: not waiting for this any more
	ErrTypeForbidden = "Forbidden" // 403: not this person's to decide
	ErrTypeInvalid   = "Invalid"   // 422: the payload does not make sense

	ErrTypeNotFound       = "NotFound"       // a row the workflow names does not exist
	ErrTypeDuplicate      = "Duplicate"      // another invoice holds this account's number
	ErrTypeEmailRejected  = "EmailRejected"  // SendGrid refused the recipient for good
	ErrTypeNoRecipient    = "NoRecipient"    // nobody to send an email to
	ErrTypeTemplate       = "Template"       // an email's template failed to render
	ErrTypeAudience       = "Audience"       // an email names an audience nobody knows
	ErrTypeInvalidClosure = "InvalidClosure" // a request closed with a status that does not close
	ErrTypeInvalidInvoice = "InvalidInvoice" // an invoice whose dates do not parse
	ErrTypeStore          = "Store"          // Postgres refused a write for good (a constraint, bad data)
)

func conflict(msg string) error  { return temporal.NewApplicationError(msg, ErrTypeConflict) }
func forbidden(msg string) error { return temporal.NewApplicationError(msg, ErrTypeForbidden) }
func invalid(msg string) error   { return temporal.NewApplicationError(msg, ErrTypeInvalid) }
