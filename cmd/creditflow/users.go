package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

func userCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage API users: add, token, disable, list",
		Long: `Manage the people who call the API. Tokens are shown once, on stdout
(the token only, one line, for scripts), and stored hashed.`,
	}
	cmd.AddCommand(userAddCommand(), userTokenCommand(), userDisableCommand(), userListCommand())
	return cmd
}

// The flags of user add that change an existing user, in the order its
// confirmation names them.
var userFlags = []string{"role", "name", "manager", "approval-limit"}

func userAddCommand() *cobra.Command {
	var email, role, name, manager string
	var limit int64
	cmd := &cobra.Command{
		Use:   "add --email E [--role R] [--name N] [--manager EMAIL] [--approval-limit AMOUNT]",
		Short: "Create a user (printing their token), or change only the flags given",
		Long: `Create a user, or change an existing one.

A new user needs --role; their API token is printed on stdout (the token
only, one line).

For an existing user only the flags given change; the others (name,
manager, approval limit, role) keep their values, and so does the token:
nothing is printed on stdout, a confirmation on stderr. "user token" issues
a new token. --manager '' removes the manager. A user who leaves the credit
role loses their approval limit.

A disabled user is re-enabled by "user add": the flags given change, and a
new token is printed on stdout (the tokens they had before stay unusable).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			if f.Changed("role") && role == "" {
				return fmt.Errorf("--role: \"\" is not a role; want one of %s", strings.Join(credit.Roles, ", "))
			}
			// Only the flags given are checked: an existing user keeps the rest.
			given := credit.User{Email: email, Name: name}
			if f.Changed("role") {
				given.Role = role
			}
			if f.Changed("manager") {
				given.ManagerEmail = manager
			}
			if f.Changed("approval-limit") {
				given.ApprovalLimit = &limit
			}
			if err := userProblem(credit.CheckUser(given)); err != nil {
				return err
			}
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()

			existing, err := st.UserByEmail(ctx, email)
			if errors.Is(err, store.ErrNotFound) {
				if !f.Changed("role") {
					return fmt.Errorf("--role: %s is a new user; give their role (%s)", email, strings.Join(credit.Roles, ", "))
				}
				u := credit.User{Email: email, Role: role, Name: name, ManagerEmail: manager}
				if f.Changed("approval-limit") {
					u.ApprovalLimit = &limit
				}
				token := store.NewToken()
				if _, err := st.CreateUser(ctx, u, token); err != nil {
					if errors.Is(err, store.ErrConflict) {
						return fmt.Errorf("%s was created by someone else meanwhile; run the command again to change it", email)
					}
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), token)
				return nil
			}
			if err != nil {
				return err
			}

			var c store.UserChanges
			newRole := existing.Role
			if f.Changed("role") {
				c.Role, newRole = &role, role
			}
			if f.Changed("approval-limit") {
				if newRole != credit.RoleCredit {
					return fmt.Errorf("--approval-limit: only the credit role has an approval limit, and %s is %s", existing.Email, newRole)
				}
				c.ApprovalLimit = &limit
			}
			if f.Changed("name") {
				c.Name = &name
			}
			if f.Changed("manager") {
				c.ManagerEmail = &manager
			}
			var token string
			if existing.DisabledAt != nil {
				token = store.NewToken()
				c.Token = &token
			}
			u, err := st.UpdateUser(ctx, email, c)
			if err != nil {
				return err
			}

			var changed []string
			for _, flag := range userFlags {
				if f.Changed(flag) {
					changed = append(changed, "--"+flag)
				}
			}
			stderr := cmd.ErrOrStderr()
			switch {
			case token != "":
				fmt.Fprintln(cmd.OutOrStdout(), token)
				fmt.Fprintf(stderr, "%s is enabled again, with the new token printed above\n", u.Email)
			case len(changed) == 0:
				fmt.Fprintf(stderr, "%s exists; nothing to change. Their token is unchanged: \"creditflow user token --email %s\" issues a new one\n", u.Email, u.Email)
			default:
				fmt.Fprintf(stderr, "%s updated (%s); their token is unchanged: \"creditflow user token --email %s\" issues a new one\n", u.Email, strings.Join(changed, ", "), u.Email)
			}
			if existing.ApprovalLimit != nil && u.ApprovalLimit == nil {
				fmt.Fprintf(stderr, "%s no longer has an approval limit: only the credit role has one\n", u.Email)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email address (required)")
	cmd.Flags().StringVar(&role, "role", "", "sales, credit, credit_manager or admin (required for a new user)")
	cmd.Flags().StringVar(&name, "name", "", "display name")
	cmd.Flags().StringVar(&manager, "manager", "", "the user's manager, told when an escalation is not acknowledged ('' removes it)")
	cmd.Flags().Int64Var(&limit, "approval-limit", 0, "largest limit a credit analyst may approve, in whole units (unset: the policy's default, 100000 unless CREDITFLOW_POLICY_FILE says otherwise)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func userTokenCommand() *cobra.Command {
	var email string
	cmd := &cobra.Command{
		Use:   "token --email E",
		Short: "Issue a new API token for a user and print it (the token only); the old one stops working",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEmail(email); err != nil {
				return err
			}
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			token := store.NewToken()
			switch err := st.IssueToken(cmd.Context(), email, token); {
			case errors.Is(err, store.ErrNotFound):
				return fmt.Errorf("--email: there is no user %s (\"creditflow user add\" creates one)", email)
			case errors.Is(err, store.ErrUserDisabled):
				return fmt.Errorf("--email: %s is disabled; \"creditflow user add --email %s\" enables them again with a new token", email, email)
			case err != nil:
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email address (required)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func userDisableCommand() *cobra.Command {
	var email string
	cmd := &cobra.Command{
		Use:   "disable --email E",
		Short: "Stop a user from authenticating; their history keeps their name",
		Long: `Disable a user: every token they had stops working (the API answers 401),
and they are no longer mailed as one of the credit team or the credit
managers. Their row stays, since requests, decisions and timelines name
them. "creditflow user add --email E" enables them again, with a new token.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEmail(email); err != nil {
				return err
			}
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := st.DisableUser(cmd.Context(), email)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("--email: there is no user %s", email)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%s is disabled since %s\n", u.Email, u.DisabledAt.UTC().Format("2006-01-02 15:04 UTC"))
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email address (required)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func userListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every user, disabled ones included, by email",
		Long: `List every user by email: role, name, manager, approval limit ("default"
for an analyst without one of their own: the policy's default) and when
they were disabled; "-" where there is nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			users, err := st.Users(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "EMAIL\tROLE\tNAME\tMANAGER\tAPPROVAL LIMIT\tDISABLED")
			for _, u := range users {
				limit := "-"
				switch {
				case u.ApprovalLimit != nil:
					limit = strconv.FormatInt(*u.ApprovalLimit, 10)
				case u.Role == credit.RoleCredit:
					limit = "default"
				}
				disabled := "-"
				if u.DisabledAt != nil {
					disabled = u.DisabledAt.UTC().Format("2006-01-02 15:04 UTC")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, orDash(u.Name), orDash(u.ManagerEmail), limit, disabled)
			}
			return w.Flush()
		},
	}
}

// userFlag is the flag of each field credit.CheckUser names.
var userFlag = map[string]string{"email": "--email", "name": "--name", "role": "--role",
	"manager_email": "--manager", "approval_limit": "--approval-limit"}

// userProblem is the first problem credit.CheckUser found, naming its flag.
func userProblem(problems []credit.UserProblem) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", userFlag[problems[0].Field], problems[0].Detail)
}

func checkEmail(s string) error { return userProblem(credit.CheckUser(credit.User{Email: s})) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func openStore(cmd *cobra.Command) (*store.Store, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	return store.Open(cmd.Context(), cfg.DatabaseURL, cfg.DBPoolSize)
}
