package console

import (
	"html/template"
	"strings"
	"time"

	"github.com/cofferdev/coffer/money"
)

// funcs are the helpers templates call.
func (p *pages) funcs() template.FuncMap {
	return template.FuncMap{
		"money":    formatMoney,
		"units":    formatUnits,
		"date":     formatDate,
		"datetime": formatDateTime,
		"static":   func(name string) string { return p.static[name] },
		"hint":     withHint,
		"required": withRequired,
		"attr":     withAttr,
		"title":    titleCase,
		"negative": func(a money.Amount) bool { return a < 0 },
		"nonzero":  func(a money.Amount) bool { return a != 0 },
		"dict":     dict,
		"when":     formatWhen,
	}
}

// dict makes a map of key/value pairs, to hand a partial more than one
// value: {{template "pager" (dict "Next" .Next "Label" "Accounts")}}.
func dict(pairs ...any) map[string]any {
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, _ := pairs[i].(string)
		m[k] = pairs[i+1]
	}
	return m
}

// symbol is the sign shown before an amount of the commonest currencies;
// the rest are shown with their code after the amount.
func symbol(cur string) string {
	switch cur {
	case "USD":
		return "$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	}
	return ""
}

// formatMoney shows an amount as people read money: "$1,250.00",
// "−$3.20", "1,250.00 CHF".
func formatMoney(a money.Amount, cur string) string {
	neg, digits := splitSign(a.String())
	s := digits
	if sym := symbol(cur); sym != "" {
		s = sym + s
	} else if cur != "" {
		s += " " + cur
	}
	if neg {
		return "−" + s
	}
	return s
}

// formatUnits shows a count of units without needless decimals: "10,000",
// "2.5".
func formatUnits(a money.Amount) string {
	neg, digits := splitSign(a.String())
	digits = strings.TrimSuffix(digits, ".00")
	if neg {
		return "−" + digits
	}
	return digits
}

// splitSign groups the whole part of a decimal string by thousands.
func splitSign(s string) (bool, string) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return neg, b.String()
}

func formatDate(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.UTC().Format("Jan 2, 2006")
	case *time.Time:
		if v == nil || v.IsZero() {
			return "—"
		}
		return v.UTC().Format("Jan 2, 2006")
	}
	return ""
}

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("Jan 2, 2006 15:04 UTC")
}

// titleCase makes "true_up" read "True up".
func titleCase(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
