package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/cofferdev/coffer/mail"
)

func TestSendReachesARealSMTPServer(t *testing.T) {
	srv := smtpmock.New(smtpmock.ConfigurationAttr{MultipleRcptto: true, MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	m, err := mail.New(mail.Config{Host: "127.0.0.1", Port: srv.PortNumber(), TLS: mail.TLSNone, From: "billing@coffer.test", HELO: "coffer.test"})
	if err != nil {
		t.Fatal(err)
	}
	subject, body, err := mail.Render(mail.LowBalance, mail.Data{AccountID: "acct_1", AccountName: "Ada",
		Currency: "USD", Balance: "90.00", Threshold: "100.00", Recommended: "30.00", DaysRemaining: "3"})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Your balance is below 100.00 USD" || !strings.Contains(body, "Balance now:          90.00 USD") ||
		!strings.Contains(body, "about 30.00 USD") {
		t.Fatalf("rendered %q\n%s", subject, body)
	}
	err = m.Send(context.Background(), mail.Message{To: []string{"a@example.com", "b@example.com"}, Subject: subject, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var rcpts []string
	for _, rr := range msgs[0].RcpttoRequestResponse() {
		rcpts = append(rcpts, rr[0])
	}
	if got := strings.Join(rcpts, " "); !strings.Contains(got, "<a@example.com>") || !strings.Contains(got, "<b@example.com>") {
		t.Fatalf("recipients %q", got)
	}
	if data := msgs[0].MsgRequest(); !strings.Contains(data, "Subject: Your balance is below 100.00 USD") {
		t.Fatalf("message:\n%s", data)
	}
}

func TestEveryTemplateRenders(t *testing.T) {
	for _, name := range []string{mail.LowBalance, mail.Depleted, mail.RechargeFailed, mail.Suspended, mail.PaymentMethodNeeded} {
		s, b, err := mail.Render(name, mail.Data{AccountID: "acct_1", Currency: "USD", Balance: "0.00", Threshold: "10.00"})
		if err != nil || s == "" || !strings.Contains(b, "acct_1") {
			t.Fatalf("%s: %q %q %v", name, s, b, err)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if _, err := mail.New(mail.Config{Host: "h", TLS: "maybe", From: "a@b"}); err == nil {
		t.Fatal("bad tls mode accepted")
	}
	if _, err := mail.New(mail.Config{Host: "h"}); err == nil {
		t.Fatal("missing from accepted")
	}
}
