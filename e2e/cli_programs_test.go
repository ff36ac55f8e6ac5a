package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/payments"
)

// The program commands against a real server: a program is made, read
// and changed from the command line, an account with a card is enrolled,
// a month of its usage is credited from the gift by the true-up on the
// 1st, and its balance shows the gift until it is unenrolled.
func TestProgramCommands(t *testing.T) {
	t.Parallel()
	h := start(t, filepath.Join(t.TempDir(), "coffer.db"))
	run := func(args ...string) (string, string, error) {
		t.Helper()
		return runCoffer(t, []string{"COFFER_URL=" + h.srv.URL(), "COFFER_API_KEY=" + h.srv.AdminKey}, args...)
	}
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := run(args...)
		if err != nil {
			t.Fatalf("coffer %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	// want checks the "Label  value" lines of a command's table.
	want := func(what, out string, fields map[string]string) {
		t.Helper()
		got := cliFields(out)
		for k, v := range fields {
			if got[k] != v {
				t.Fatalf("%s: %s is %q, want %q:\n%s", what, k, got[k], v, out)
			}
		}
	}

	// Create: the levels left out take the reference program's.
	var p api.Program
	if err := json.Unmarshal([]byte(cli("programs", "create", "--name", "Impact Access", "--gift", "100", "--starts-on", "2026-03",
		"--ends-on", "2026-12", "--auto-payment-balance", "-400", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.ID, "prog_") || p.Currency != "USD" || !p.RequiresPaymentMethod || p.EndsOn != "2026-12" {
		t.Fatalf("created program: %+v", p)
	}
	wantAmount(t, "gift", p.Gift, "100.00")
	wantAmount(t, "auto-payment balance", p.AutoPayment.Balance, "-400.00")
	wantAmount(t, "suspend_at default", p.SuspendAt, "-510.00")
	if _, _, err := run("programs", "create", "--name", "Bad", "--gift", "1", "--starts-on", "March"); err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Fatalf("a malformed month: %v", err)
	}

	// Show, every field in words; and the list.
	want("programs show", cli("programs", "show", p.ID), map[string]string{
		"Name":                 "Impact Access",
		"Currency":             "USD",
		"Gift":                 "100.00 USD",
		"Credited period":      "2026-03 to 2026-12",
		"Gift expires":         "what is left once 2026-12 is credited",
		"Payment method":       "required to enrol; auto-recharge locked on",
		"Auto-payment":         "when the balance with credits falls to 0.00 USD or the balance to -400.00 USD",
		"Payment method asked": "after a failed payment, at a balance of -505.00 USD",
		"Suspension":           "with the payment failing, at a balance of -510.00 USD",
		"After the gift":       "auto-recharge to 20.00 USD when the balance falls below 10.00 USD",
	})
	if out := cli("programs", "list"); !strings.Contains(out, p.ID+"  Impact Access  USD       100.00  2026-03 to 2026-12") {
		t.Fatalf("programs list:\n%s", out)
	}

	// Update: only the flags given change; an empty --ends-on clears the
	// end.
	want("programs update", cli("programs", "update", p.ID, "--name", "Impact Access 2026", "--suspend-at", "-520", "--ends-on", ""),
		map[string]string{
			"Name":            "Impact Access 2026",
			"Suspension":      "with the payment failing, at a balance of -520.00 USD",
			"Credited period": "from 2026-03",
			"Gift expires":    "never",
			"Auto-payment":    "when the balance with credits falls to 0.00 USD or the balance to -400.00 USD",
		})
	got, err := h.admin.GetProgram(h.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Impact Access 2026" || got.EndsOn != "" || got.StartsOn != "2026-03" || !got.RequiresPaymentMethod {
		t.Fatalf("program after the update: %+v", got)
	}
	wantAmount(t, "suspend_at after the update", got.SuspendAt, "-520.00")
	wantAmount(t, "payment_method_required_at, untouched", got.PaymentMethodRequiredAt, "-505.00")
	wantAmount(t, "gift, untouched", got.Gift, "100.00")
	if _, _, err := run("programs", "update", p.ID, "--suspend-at", "-500"); err == nil || !strings.Contains(err.Error(), "suspend_at") {
		t.Fatalf("a suspension level above the payment method's: %v", err)
	}

	// Enrol: refused without a card, then done with one.
	a := h.account("Nonprofit", "")
	if _, _, err := run("programs", "enroll", p.ID, "--account", a.ID); err == nil || !strings.Contains(err.Error(), "requires a payment method") {
		t.Fatalf("enrolment without a payment method: %v", err)
	}
	h.card(a.ID, payments.TestCardSuccess)
	out := cli("programs", "enroll", p.ID, "--account", a.ID)
	want("programs enroll", out, map[string]string{
		"Program":             p.ID,
		"Account":             a.ID,
		"Status":              "active",
		"Original gift":       "100.00",
		"Gift remaining":      "100.00",
		"Credited period":     "from 2026-03",
		"Credit last applied": "not yet",
	})
	enr := cliFields(out)["ID"]
	if !strings.HasPrefix(enr, "enr_") || !strings.HasPrefix(cliFields(out)["Grant"], "grant_") {
		t.Fatalf("enrollment:\n%s", out)
	}

	// March's usage, credited from the gift on April 1.
	h.mustDebit(a.ID, "march-usage", "30.00")
	want("balance in March", cli("balance", a.ID), map[string]string{
		"Balance":              "-30.00",
		"Gifted remaining":     "100.00",
		"Balance with credits": "70.00",
		"Credit last applied":  "not yet",
	})
	cli("clock", "advance", "--to", "2026-04-01T00:02:00Z")
	want("balance after the April true-up", cli("balance", a.ID), map[string]string{
		"Balance":              "0.00",
		"Gifted remaining":     "70.00",
		"Balance with credits": "70.00",
		"Program":              p.ID,
		"Original gift":        "100.00",
		"Credited period":      "from 2026-03",
		"Credit last applied":  "2026-03",
	})
	if out := cli("programs", "enrollments", p.ID); !strings.Contains(out, enr+"  "+a.ID+"  active  100.00  70.00      from 2026-03     2026-03") {
		t.Fatalf("programs enrollments:\n%s", out)
	}

	// Unenrol: the rest of the gift is voided and the balance shows no
	// gift.
	out = cli("programs", "unenroll", enr)
	want("programs unenroll", out, map[string]string{"ID": enr, "Status": "ended", "Gift remaining": "0.00"})
	if cliFields(out)["Ended"] == "" {
		t.Fatalf("unenrolled, with no end:\n%s", out)
	}
	out = cli("balance", a.ID)
	want("balance after unenrolment", out, map[string]string{"Balance": "0.00", "Gifted remaining": "0.00", "Balance with credits": "0.00"})
	for _, label := range []string{"Program", "Original gift", "Credited period", "Credit last applied"} {
		if _, ok := cliFields(out)[label]; ok {
			t.Fatalf("the balance still shows the gift's %s after unenrolment:\n%s", label, out)
		}
	}
	var b api.Balance
	if err := json.Unmarshal([]byte(cli("balance", a.ID, "--json")), &b); err != nil || b.Gift != nil {
		t.Fatalf("balance --json after unenrolment: %+v %v", b, err)
	}
	if out := cli("programs", "enrollments", p.ID); !strings.Contains(out, enr+"  "+a.ID+"  ended ") {
		t.Fatalf("programs enrollments after unenrolment:\n%s", out)
	}
	if _, _, err := run("programs", "unenroll", enr); err == nil || !strings.Contains(err.Error(), "ended already") {
		t.Fatalf("a second unenrolment: %v", err)
	}
}
