package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/payments"
)

// The payment commands against a real server: add a card and a bank
// account, verify the bank account with the sandbox's code, buy, set up
// auto-recharge and a schedule, and list what happened.
func TestPaymentCommands(t *testing.T) {
	t.Parallel()
	// run is the command line against url, with the URL and no key in the
	// environment as a user would have them.
	run := func(t *testing.T, url string, args ...string) (string, string, error) {
		t.Helper()
		return runCoffer(t, []string{"COFFER_URL=" + url, "COFFER_API_KEY="}, args...)
	}
	h := start(t, t.TempDir()+"/coffer.db")
	a := h.account("cli", "")
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := run(t, h.srv.URL(), append(args, "--api-key", h.srv.AdminKey)...)
		if err != nil {
			t.Fatalf("coffer %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	var card api.PaymentMethod
	if err := json.Unmarshal([]byte(cli("payment-methods", "add", a.ID, "--type", "card", "--card-number", payments.TestCardSuccess,
		"--exp-month", "12", "--exp-year", "2030", "--json")), &card); err != nil || card.Last4 != "4242" || !card.Default {
		t.Fatalf("card %+v %v", card, err)
	}
	var bank api.PaymentMethod
	_ = json.Unmarshal([]byte(cli("payment-methods", "add", a.ID, "--type", "us_bank_account", "--routing-number", payments.TestRoutingNumber,
		"--account-number", payments.TestBankAccount, "--holder", "Ada", "--json")), &bank)
	if bank.Status != "unverified" {
		t.Fatalf("bank %+v", bank)
	}
	out := cli("payment-methods", "sandbox-code", bank.ID)
	code := strings.TrimSpace(strings.TrimPrefix(strings.Split(out, "\n")[1], "Code"))
	if out = cli("payment-methods", "verify", bank.ID, "--code", code); !strings.Contains(out, "active") {
		t.Fatalf("verify: %s", out)
	}
	if out = cli("purchases", "create", a.ID, "--amount", "30.00"); !strings.Contains(out, "succeeded") || !strings.Contains(out, "30.00 USD") {
		t.Fatalf("purchase: %s", out)
	}
	if out = cli("purchases", "list", a.ID); !strings.Contains(out, "purchase") || !strings.Contains(out, card.ID) {
		t.Fatalf("purchases: %s", out)
	}
	out = cli("auto-recharge", "set", a.ID, "--enabled", "--threshold", "10.00", "--target", "40.00", "--payment-method", card.ID)
	if !strings.Contains(out, "40.00") || !strings.Contains(out, "idle") {
		t.Fatalf("auto-recharge set: %s", out)
	}
	if out = cli("auto-recharge", "get", a.ID); !strings.Contains(out, "Enabled") || !strings.Contains(out, "yes") {
		t.Fatalf("auto-recharge get: %s", out)
	}
	if out = cli("schedules", "create", a.ID, "--payment-method", bank.ID, "--day", "5", "--amount", "50.00"); !strings.Contains(out, "2026-03-05") {
		t.Fatalf("schedule: %s", out)
	}
	if out = cli("schedules", "list", a.ID); !strings.Contains(out, "active") {
		t.Fatalf("schedules: %s", out)
	}
	h.mustDebit(a.ID, "cli-spend", "25.00")
	h.rechargeAttempts(a.ID, 1)
	if out = cli("payments", "list", a.ID, "--source", "auto_recharge"); !strings.Contains(out, "35.00") {
		t.Fatalf("payments: %s", out)
	}
	// A refused purchase prints the server's message.
	_, errOut, err := run(t, h.srv.URL(), "purchases", "create", a.ID, "--amount", "1.00", "--api-key", h.srv.AdminKey)
	if err == nil || !strings.Contains(errOut+err.Error(), "minimum purchase") {
		t.Fatalf("below the minimum: %v %s", err, errOut)
	}
}
