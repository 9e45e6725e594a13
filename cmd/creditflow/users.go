package main

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

func userCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage API users"}
	var u credit.User
	var limit int64
	add := &cobra.Command{
		Use:   "add --email E --role R [--name N] [--manager EMAIL] [--approval-limit AMOUNT]",
		Short: "Create or update a user and print a new API token (the token only) on stdout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := mail.ParseAddress(u.Email); err != nil {
				return fmt.Errorf("--email: %q is not an email address", u.Email)
			}
			if !slices.Contains(credit.Roles, u.Role) {
				return fmt.Errorf("--role: want one of %s", strings.Join(credit.Roles, ", "))
			}
			if u.ManagerEmail != "" {
				if _, err := mail.ParseAddress(u.ManagerEmail); err != nil {
					return fmt.Errorf("--manager: %q is not an email address", u.ManagerEmail)
				}
			}
			if cmd.Flags().Changed("approval-limit") {
				if limit < 0 {
					return fmt.Errorf("--approval-limit: must not be negative")
				}
				if u.Role != credit.RoleCredit {
					return fmt.Errorf("--approval-limit: only the credit role has an approval limit")
				}
				u.ApprovalLimit = &limit
			}
			cfg, err := config.FromEnv()
			if err != nil {
				return err
			}
			st, err := store.Open(cmd.Context(), cfg.DatabaseURL)
			if err != nil {
				return err
			}
			defer st.Close()
			token := store.NewToken()
			if _, err := st.UpsertUser(cmd.Context(), u, token); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	add.Flags().StringVar(&u.Email, "email", "", "the user's email address (required)")
	add.Flags().StringVar(&u.Role, "role", "", "sales, credit, credit_manager or admin (required)")
	add.Flags().StringVar(&u.Name, "name", "", "display name")
	add.Flags().StringVar(&u.ManagerEmail, "manager", "", "the user's manager, told when an escalation is not acknowledged")
	add.Flags().Int64Var(&limit, "approval-limit", 0, "largest limit a credit analyst may approve, in whole units (default 100000)")
	_ = add.MarkFlagRequired("email")
	_ = add.MarkFlagRequired("role")
	cmd.AddCommand(add)
	return cmd
}
