package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

func devCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "Migrate, then run the worker and the API in one process (for a laptop)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.FromEnv()
			if err != nil {
				return err
			}
			if err := store.Migrate(cmd.Context(), cfg.DatabaseURL); err != nil {
				return err
			}
			if err := createDemoUsers(cmd.Context(), cfg); err != nil {
				return err
			}
			return run(cmd.Context(), runWorker, runAPI)
		},
	}
}

// demoUsers are created on a fresh database so a newcomer can try the API
// at once: a rep with a manager, an analyst, a credit manager, an admin.
var demoUsers = []credit.User{
	{Email: "rep@example.com", Name: "Riley Rep", Role: credit.RoleSales, ManagerEmail: "sales.manager@example.com"},
	{Email: "sales.manager@example.com", Name: "Sam Sales-Manager", Role: credit.RoleSales},
	{Email: "analyst@example.com", Name: "Ada Analyst", Role: credit.RoleCredit},
	{Email: "credit.manager@example.com", Name: "Cleo Credit-Manager", Role: credit.RoleCreditManager},
	{Email: "admin@example.com", Name: "Alex Admin", Role: credit.RoleAdmin},
}

func createDemoUsers(ctx context.Context, cfg config.Config) error {
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DBPoolSize)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		// Printed as it runs from the repository, where ./scripts/dev
		// built the binary.
		fmt.Fprintln(os.Stderr, "Users exist already. To get a new token for one (its old token stops working):\n"+
			"  .bin/creditflow user token --email rep@example.com")
		fmt.Fprint(os.Stderr, deskHelp(cfg, ""))
		return nil
	}
	var b strings.Builder
	b.WriteString("\nDemo users (tokens are shown once, keep them):\n")
	tokens := map[string]string{}
	for _, u := range demoUsers {
		token := store.NewToken()
		if _, err := st.CreateUser(ctx, u, token); err != nil {
			return err
		}
		if _, ok := tokens[u.Role]; !ok {
			tokens[u.Role] = token
		}
		fmt.Fprintf(&b, "  %-28s %-15s %s\n", u.Email, u.Role, token)
	}
	fmt.Fprintf(&b, "\nFor the README's tour, paste into a second terminal:\n\nexport REP=%s ANALYST=%s MANAGER=%s ADMIN=%s\n",
		tokens[credit.RoleSales], tokens[credit.RoleCredit], tokens[credit.RoleCreditManager], tokens[credit.RoleAdmin])
	port := cfg.HTTPAddr[strings.LastIndex(cfg.HTTPAddr, ":")+1:]
	fmt.Fprintf(&b, `
Ask for a credit pre-approval as the sales rep:

curl -s -X POST http://localhost:%s/api/v1/credit-requests \
  -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
  -d '{"kind":"pre_approval","requested_limit":{"amount":"50000.00","currency":"EUR"},"reason":"first order expected next month","prospect":{"name":"Acme Tools GmbH","registration_number":"HRB 12345","country":"DE","billing_email":"billing@acme.example","annual_revenue":{"amount":"2500000.00","currency":"EUR"},"years_in_business":7,"trade_references":2}}'

Then see the credit team's inbox as the analyst:

curl -s 'http://localhost:%s/api/v1/credit-requests?status=pending_review' -H 'Authorization: Bearer %s'

`, port, tokens[credit.RoleSales], port, tokens[credit.RoleCredit])
	b.WriteString(deskHelp(cfg, tokens[credit.RoleAdmin]))
	fmt.Fprint(os.Stdout, b.String())
	return nil
}

// deskHelp says where the credit desk is and how to sign in to it.
func deskHelp(cfg config.Config, adminToken string) string {
	admin := "$ADMIN"
	if adminToken != "" {
		admin = adminToken
	}
	mailed := "it goes to the user's inbox."
	if cfg.SendGridAPIKey == "" {
		port := cfg.HTTPAddr[strings.LastIndex(cfg.HTTPAddr, ":")+1:]
		mailed = fmt.Sprintf(`SENDGRID_API_KEY is unset, so it is not sent:
  the link is in this terminal's log (the line "email not sent" with kind=sign_in, sign_in_url=...)
  and in the outbox: curl -s 'http://localhost:%s/api/v1/emails?kind=sign_in&limit=5' -H 'Authorization: Bearer %s'`, port, admin)
	}
	return fmt.Sprintf(`
The credit desk: %s
Sign in there with one of the tokens above (rep@example.com sees sales pages, analyst@example.com the
credit inbox), or ask for a one-time sign-in link by email; %s

`, cfg.BaseURL+"/desk/", mailed)
}
