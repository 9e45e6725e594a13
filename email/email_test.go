package email

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// kindsWithTemplates lists every kind that has a subject template.
func kindsWithTemplates() []string {
	var kinds []string
	for _, t := range textTemplates.Templates() {
		if kind, ok := strings.CutSuffix(t.Name(), ".subject"); ok {
			kinds = append(kinds, kind)
		}
	}
	return kinds
}

func TestCreditRequestKindsHaveTemplates(t *testing.T) {
	require.Subset(t, kindsWithTemplates(), []string{
		KindRequestReceived, KindRequestDecided, KindReviewReminder, KindReviewEscalation,
	})
}

func TestEveryTemplateRendersWithoutPlaceholdersLeft(t *testing.T) {
	for _, kind := range kindsWithTemplates() {
		t.Run(kind, func(t *testing.T) {
			subject, text, html, err := Render(kind, map[string]string{})
			require.NoError(t, err)
			for _, part := range []string{subject, text, html} {
				require.NotContains(t, part, "<no value>", "a missing fact renders as nothing, never as a placeholder")
			}
			require.Contains(t, html, "<!DOCTYPE html>")
		})
	}
}

func TestHTMLEscapesWhatCustomersAndRepsTyped(t *testing.T) {
	_, text, html, err := Render(KindRequestDecided, map[string]string{
		"AccountName": `<script>alert("x")</script> & Sons`, "OutcomeSentence": "approved",
	})
	require.NoError(t, err)
	require.NotContains(t, html, "<script>")
	require.Contains(t, html, "&lt;script&gt;")
	require.Contains(t, text, `<script>alert("x")</script> & Sons`, "plain text stays as typed")
}

func TestUnknownKindIsAnError(t *testing.T) {
	_, _, _, err := Render("birthday_card", nil)
	require.ErrorIs(t, err, ErrUnknownKind)
}

// TestWeeklyDigestShowsCountsFirstAndEscapesNames: the digest's data is
// a struct of lists; its counts come before the lines, and an account
// name someone typed is escaped in the HTML.
func TestWeeklyDigestShowsCountsFirstAndEscapesNames(t *testing.T) {
	type line struct{ Account, Why, Since, Link string }
	type section struct {
		Title, Short string
		Total, More  int
		Items        []line
	}
	view := struct {
		Name, Period, Intro, Summary string
		Sections                     []section
	}{Name: "Riley", Period: "2025-W02", Intro: "Here is your week.", Summary: "2 on hold",
		Sections: []section{{Title: "Your accounts on hold", Total: 2, More: 1, Items: []line{
			{Account: `<b>Acme</b> & Sons`, Why: "invoice 7 unpaid 40 days after its due date", Since: "since 2 Jan 2025, 10 days",
				Link: "https://desk.example/desk/accounts/acc_1"}}}}}
	subject, text, html, err := Render(KindWeeklyDigest, view)
	require.NoError(t, err)
	require.Equal(t, "Your credit week 2025-W02: 2 on hold", subject)
	require.Less(t, strings.Index(text, "   2  Your accounts on hold"), strings.Index(text, "- <b>Acme</b> & Sons: invoice 7"), "counts first")
	require.Contains(t, text, "(since 2 Jan 2025, 10 days)\n    https://desk.example/desk/accounts/acc_1")
	require.Contains(t, text, "... and 1 more")
	require.Contains(t, html, `<a href="https://desk.example/desk/accounts/acc_1"><strong>&lt;b&gt;Acme&lt;/b&gt; &amp; Sons</strong></a>`)
}
