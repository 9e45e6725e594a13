package desk

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

// conditionNeeds is what the decision form asks for with each condition
// type, by the condition object's field names: the form's field is the
// type and the field joined by "_" (deposit_amount). What each needs,
// and whether it is right, is the API's to say when the form is sent.
var conditionNeeds = map[string][]string{
	credit.ConditionDeposit:           {"amount"},
	credit.ConditionLetterOfCredit:    {"amount", "expires_on"},
	credit.ConditionPersonalGuarantee: {"guarantor"},
	credit.ConditionShorterTerms:      {"terms_days"},
}

// decisionForm is the decision form as sent, and the API's body for it:
// each condition ticked goes as an object with what was typed for it.
func decisionForm(c echo.Context) (form, api.DecisionRequest) {
	f := newForm()
	for _, name := range []string{"outcome", "approved_limit", "reason"} {
		f.Values[name] = strings.TrimSpace(c.FormValue(name))
	}
	params, _ := c.FormParams()
	conditions := params["conditions"]
	f.Values["conditions"] = strings.Join(conditions, ",")
	currency := c.FormValue("currency")

	body := api.DecisionRequest{Outcome: api.Outcome(f.Values["outcome"])}
	if amount := f.Values["approved_limit"]; amount != "" {
		body.ApprovedLimit = &api.Money{Amount: amount, Currency: currency}
	}
	for kind, needs := range conditionNeeds {
		for _, need := range needs {
			f.Values[kind+"_"+need] = strings.TrimSpace(c.FormValue(kind + "_" + need))
		}
	}
	if len(conditions) > 0 {
		cs := make([]api.DecisionRequest_Conditions_Item, len(conditions))
		for i, kind := range conditions {
			raw, _ := json.Marshal(conditionObject(f, kind, currency)) // strings and numbers always encode
			_ = cs[i].UnmarshalJSON(raw)                               // a union keeps any JSON
		}
		body.Conditions = &cs
	}
	if reason := f.Values["reason"]; reason != "" {
		body.Reason = &reason
	}
	return f, body
}

// conditionObject is a ticked condition as the API takes it: its type
// and each of its fields that was filled in. A field left empty is left
// out, so that the API names it as required; terms that are not a whole
// number go as typed, for the API to say what it wants.
func conditionObject(f form, kind, currency string) map[string]any {
	c := map[string]any{"type": kind}
	for _, need := range conditionNeeds[kind] {
		value := f.Values[kind+"_"+need]
		switch {
		case value == "":
		case need == "amount":
			c[need] = api.Money{Amount: value, Currency: currency}
		case need == "terms_days":
			if days, err := strconv.Atoi(value); err == nil {
				c[need] = days
			} else {
				c[need] = value
			}
		default:
			c[need] = value
		}
	}
	return c
}

// conditionField is a problem's field within one condition object.
var conditionField = regexp.MustCompile(`^conditions\[(\d+)\]\.([a-z_]+)`)

// decisionProblem puts what the API said next to the decision form's
// fields: "conditions[1].expires_on" is the second ticked condition's
// expires_on field (letter_of_credit_expires_on); anything else of a
// condition, the conditions as a whole.
// The summary above the form names them so too ("deposit amount", not
// "conditions[0].amount"): the analyst never sees the body's indexes.
func decisionProblem(f form, p *api.Problem) form {
	ticked := f.checked("conditions")
	fieldOf := func(field string) string {
		m := conditionField.FindStringSubmatch(field)
		if m == nil {
			return field
		}
		k, _ := strconv.Atoi(m[1])
		if k >= len(ticked) {
			return "conditions"
		}
		return ticked[k] + "_" + m[2]
	}
	f = f.withProblemAt(p, func(field string) string { return topField(fieldOf(field)) })
	f.Fields = slices.Clone(f.Fields)
	for i, e := range f.Fields {
		f.Fields[i].Field = fieldOf(e.Field)
	}
	return f
}
