package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/ledger"
	"github.com/cofferdev/coffer/mail"
)

// Event types the payments side raises that send customers e-mail. They
// are spelled out here so that this file reads on its own.
const (
	evRechargeFailed        = "recharge.failed"
	evAccountSuspended      = "account.suspended"
	evPaymentMethodRequired = "payment_method.required"
	evInvoiceFinalized      = "invoice.finalized"
	evInvoicePaymentFailed  = "invoice.payment_failed"
)

// emailTemplate names the e-mail an event sends its account's
// recipients, or "" for none.
func emailTemplate(ev *ledger.Event) string {
	switch ev.Type {
	case ledger.EventAlertTriggered:
		return mail.LowBalance
	case ledger.EventDepleted:
		return mail.Depleted
	case evAccountSuspended:
		return mail.Suspended
	case evPaymentMethodRequired:
		return mail.PaymentMethodNeeded
	case evInvoiceFinalized:
		// A statement with nothing on it is no news worth an e-mail.
		if fmt.Sprint(ev.Data["lines"]) == "0" {
			return ""
		}
		return mail.InvoiceFinalized
	case evInvoicePaymentFailed:
		return mail.InvoicePaymentFailed
	case ledger.EventGiftExhausted:
		return mail.GiftExhausted
	case evRechargeFailed:
		// A recharge that failed because there is no usable payment method
		// (none on file, expired, or one the gateway will not charge) asks
		// for one rather than reporting a decline.
		for _, k := range []string{"reason", "code", "failure_code"} {
			if v, _ := ev.Data[k].(string); strings.Contains(v, "payment_method") || v == "expired_card" {
				return mail.PaymentMethodNeeded
			}
		}
		return mail.RechargeFailed
	}
	return ""
}

// wants reports whether an endpoint subscribes to an event type: an empty
// filter takes everything, "account.*" takes a prefix.
func wants(ep *coffer.WebhookEndpoint, typ string) bool {
	if len(ep.EventTypes) == 0 {
		return true
	}
	for _, t := range ep.EventTypes {
		if t == typ || t == "*" || (strings.HasSuffix(t, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// route is the store.Router: one delivery per subscribed enabled endpoint,
// and one e-mail when the event calls for one and e-mail is on.
func (n *notifier) route(ev *ledger.Event, eps []*coffer.WebhookEndpoint) []*coffer.Delivery {
	now := n.s.now()
	var out []*coffer.Delivery
	add := func(channel coffer.Channel, endpoint string) {
		out = append(out, &coffer.Delivery{ID: n.s.ids.New(coffer.PrefixDelivery, now), EventID: ev.ID, Channel: channel,
			EndpointID: endpoint, Status: coffer.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
	}
	for _, ep := range eps {
		if ep.Enabled && wants(ep, ev.Type) {
			add(coffer.ChannelWebhook, ep.ID)
		}
	}
	if n.mailer.Enabled() && ev.AccountID != "" && emailTemplate(ev) != "" {
		add(coffer.ChannelEmail, "")
	}
	return out
}

// errGiveUp marks a delivery that can never succeed (its endpoint was
// deleted, the account has no address): it is closed without retries.
var errGiveUp = errors.New("cannot be delivered")

// deliver makes one attempt and records it with the delivery's next step.
// An attempt cut short by shutdown is not recorded: the lease runs out and
// a live process tries again.
func (n *notifier) deliver(ctx context.Context, d *coffer.Delivery) error {
	ev, err := n.s.store.GetEvent(ctx, d.EventID)
	if err != nil {
		return err
	}
	started := n.s.now()
	var ok bool
	var code int
	var latency time.Duration
	var response string
	var failing *bool
	switch d.Channel {
	case coffer.ChannelWebhook:
		ep, err := n.s.store.GetWebhookEndpoint(ctx, d.EndpointID)
		switch {
		case coffer.ErrorCode(err) == coffer.ENotFound:
			return n.close(ctx, d, coffer.DeliveryCanceled, "the endpoint was deleted")
		case err != nil:
			return err
		case !ep.Enabled:
			return n.close(ctx, d, coffer.DeliveryCanceled, "the endpoint is disabled")
		}
		body, err := json.Marshal(eventView(ev))
		if err != nil {
			return err
		}
		// A secret that does not open is an error, not a failed attempt:
		// nothing is recorded, the lease runs out, and a process holding
		// the key (during a rolling change of keys) delivers it.
		secret, err := openSecret(n.s.cfg.Secrets, ep.ID, ep.Secret)
		if err != nil {
			return err
		}
		res, err := n.sender.Send(ctx, ep.URL, secret, d.ID, body)
		if err != nil {
			return n.close(ctx, d, coffer.DeliveryFailed, err.Error())
		}
		ok, code, latency, response = res.OK, res.StatusCode, res.Latency, res.Response
		if ok && !ep.FailingSince.IsZero() {
			f := false
			failing = &f
		}
	case coffer.ChannelEmail:
		t0 := n.s.cfg.Wall() // a duration, on the monotonic wall clock
		err := n.sendEmail(ctx, ev)
		latency = n.s.cfg.Wall().Sub(t0)
		if errors.Is(err, errGiveUp) {
			return n.close(ctx, d, coffer.DeliveryCanceled, err.Error())
		}
		ok = err == nil
		if err != nil {
			response = err.Error()
		} else {
			response = "sent"
		}
	default:
		return n.close(ctx, d, coffer.DeliveryFailed, "unknown channel "+string(d.Channel))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	d.Attempts++
	d.UpdatedAt = n.s.now()
	a := &coffer.Attempt{DeliveryID: d.ID, N: d.Attempts, StatusCode: code, Latency: latency, Response: response,
		Succeeded: ok, AttemptedAt: started}
	switch {
	case ok:
		d.Status, d.NextAttemptAt, d.LastError = coffer.DeliverySucceeded, time.Time{}, ""
	case d.Attempts > len(n.cfg.Retries):
		d.Status, d.NextAttemptAt = coffer.DeliveryFailed, time.Time{}
		d.LastError = failure(code, response)
		if d.Channel == coffer.ChannelWebhook {
			f := true
			failing = &f
		}
	default:
		d.NextAttemptAt = started.Add(n.cfg.Retries[d.Attempts-1])
		d.LastError = failure(code, response)
	}
	n.logAttempt(ctx, d, ev, code, latency)
	return n.s.store.RecordAttempt(ctx, a, d, failing)
}

// logAttempt writes one line per attempt, naming the event delivered so
// that a delivery can be traced to the event, and through the event's id
// to what raised it. The request that raised an event is not recorded
// with it: the outbox payload is what subscribers receive, unchanged.
func (n *notifier) logAttempt(ctx context.Context, d *coffer.Delivery, ev *ledger.Event, code int, latency time.Duration) {
	level := slog.LevelInfo
	if d.Status != coffer.DeliverySucceeded {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("delivery", d.ID), slog.String("event", ev.ID), slog.String("event_type", ev.Type),
		slog.String("channel", string(d.Channel)), slog.Int("attempt", d.Attempts),
		slog.String("status", string(d.Status)), slog.Duration("latency", latency),
	}
	if d.EndpointID != "" {
		attrs = append(attrs, slog.String("endpoint", d.EndpointID))
	}
	if code != 0 {
		attrs = append(attrs, slog.Int("status_code", code))
	}
	if d.LastError != "" {
		attrs = append(attrs, slog.String("error", d.LastError))
	}
	n.s.log.LogAttrs(ctx, level, "delivery attempt", attrs...)
}

func failure(code int, response string) string {
	if code != 0 {
		return fmt.Sprintf("HTTP %d: %s", code, response)
	}
	return response
}

// close finishes a delivery without an attempt.
func (n *notifier) close(ctx context.Context, d *coffer.Delivery, status coffer.DeliveryStatus, why string) error {
	d.Status, d.NextAttemptAt, d.LastError, d.UpdatedAt = status, time.Time{}, why, n.s.now()
	level := slog.LevelInfo
	if status == coffer.DeliveryFailed {
		level = slog.LevelWarn
	}
	n.s.log.LogAttrs(ctx, level, "delivery closed", slog.String("delivery", d.ID), slog.String("event", d.EventID),
		slog.String("channel", string(d.Channel)), slog.String("status", string(status)), slog.String("reason", why))
	return n.s.store.RecordAttempt(ctx, nil, d, nil)
}

// sendEmail renders and sends the e-mail an event calls for, to the
// account's email, its notification emails and its alert recipients.
func (n *notifier) sendEmail(ctx context.Context, ev *ledger.Event) error {
	name := emailTemplate(ev)
	if name == "" || !n.mailer.Enabled() {
		return fmt.Errorf("event %s sends no e-mail: %w", ev.Type, errGiveUp)
	}
	acct, err := n.s.store.GetAccount(ctx, ev.AccountID)
	if err != nil {
		return err
	}
	to := []string{acct.Email}
	to = append(to, acct.NotificationEmails...)
	settings, err := n.s.store.GetAlertSettings(ctx, acct.ID)
	switch {
	case err == nil:
		to = append(to, settings.Emails...)
	case coffer.ErrorCode(err) != coffer.ENotFound:
		return err
	}
	to = recipients(to)
	if len(to) == 0 {
		return fmt.Errorf("account %s has no email address: %w", acct.ID, errGiveUp)
	}
	str := func(k string) string { v, _ := ev.Data[k].(string); return v }
	d := mail.Data{AccountID: acct.ID, AccountName: acct.Name, Currency: string(acct.Currency),
		Balance: str("balance"), Threshold: str("threshold"), Amount: str("amount"), Reason: str("reason"), At: ev.CreatedAt}
	if d.Reason == "" {
		d.Reason = str("failure_message")
	}
	d.Reason = strings.ReplaceAll(d.Reason, "_", " ") // auto_recharge_failed reads as words
	if name == mail.InvoiceFinalized || name == mail.InvoicePaymentFailed {
		invoiceMail(&d, ev.Data)
	}
	if name == mail.GiftExhausted {
		d.Amount = str("original")
	}
	if d.Balance == "" {
		st, err := n.s.store.LoadState(ctx, acct.ID)
		if err != nil {
			return err
		}
		d.Balance = st.LedgerBalance().String()
	}
	if name == mail.LowBalance {
		rec, err := n.s.recommendation(ctx, acct, n.s.now())
		if err != nil {
			return err
		}
		if rec > 0 {
			d.Recommended = rec.String()
		}
		// The days left are the runway's: the burn over the account's own
		// age when it is younger than 30 days (not all of a minutes-old
		// account's usage spread over one day), counting credit that
		// expires before it is spent.
		rw, err := n.s.runway(ctx, acct, n.s.now())
		if err != nil {
			return err
		}
		if rw.Days != nil {
			d.DaysRemaining = fmt.Sprint(*rw.Days)
		}
	}
	subject, body, err := mail.Render(name, d)
	if err != nil {
		return err
	}
	return n.mailer.Send(ctx, mail.Message{To: to, Subject: subject, Body: body})
}

// invoiceMail fills an invoice e-mail's fields from its event's data.
func invoiceMail(d *mail.Data, data map[string]any) {
	str := func(k string) string { v, _ := data[k].(string); return v }
	d.InvoiceNumber, d.AmountDue, d.Link = str("number"), str("amount_due"), str("hosted_url")
	d.Statement = str("billing_mode") == "prepaid"
	if paid := str("amount_paid"); paid != "" && paid != "0.00" {
		d.AmountPaid = paid
	}
	start, err1 := time.Parse(time.RFC3339, str("period_start"))
	end, err2 := time.Parse(time.RFC3339, str("period_end"))
	if err1 == nil && err2 == nil {
		d.Period = start.Format("2 January 2006") + " – " + end.Add(-time.Second).Format("2 January 2006")
	}
	if next, err := time.Parse(time.RFC3339Nano, str("next_attempt_at")); err == nil {
		d.NextAttempt = next.UTC().Format("2 January 2006 at 15:04 UTC")
	}
}

// recipients drops blanks and repeats, keeping the first spelling.
func recipients(in []string) []string {
	var out []string
	for _, a := range in {
		a = strings.TrimSpace(a)
		if a == "" || slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// eventView is an event as the API and webhooks show it.
func eventView(e *ledger.Event) api.Event {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	return api.Event{ID: e.ID, Object: "event", Type: e.Type, AccountID: e.AccountID, Data: data, CreatedAt: e.CreatedAt}
}
