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
