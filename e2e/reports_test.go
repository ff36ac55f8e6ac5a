package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/client"
)

// TestReports checks each report against a known history over HTTP on
// both stores: money and unit grants, debits on two days by the account
// and a subaccount, an expiry and a void. The figures are the ledger's
// own: the credit report's remaining is the balance, CSV says what JSON
// says.
func TestReports(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := start(t, dsn)
		a := h.account("Reports", "")
		sub, err := h.admin.CreateSubaccount(h.ctx, a.ID, api.SubaccountCreate{Name: "voice"})
		if err != nil {
			t.Fatal(err)
		}
		h.grant(a.ID, api.GrantCreate{Amount: amt("100"), Category: "paid", Reason: "purchase"})
		h.grant(a.ID, api.GrantCreate{Amount: amt("20"), Category: "promotional", ExpiresAt: ptr(clockStart.Add(36 * time.Hour)), Reason: "welcome"})
		h.grant(a.ID, api.GrantCreate{Kind: "units", Unit: "sms", Amount: amt("10"), Category: "paid", Reason: "bundle"})
		mistake := h.grant(a.ID, api.GrantCreate{Amount: amt("10"), Category: "paid", Reason: "mistake"})
		debit := func(ev string, in api.DebitCreate) {
			t.Helper()
			in.AccountID, in.EventID = a.ID, ev
			if _, err := h.admin.Debit(h.ctx, in); err != nil {
				t.Fatalf("debit %s: %v", ev, err)
			}
		}
		debit("e1", api.DebitCreate{Amount: amtp("5"), SubaccountID: sub.ID}) // the promotional credit first
		if _, err := h.admin.VoidGrant(h.ctx, mistake.ID, api.GrantVoid{Reason: "granted twice"}); err != nil {
			t.Fatal(err)
		}
		past := clockStart.Add(time.Hour)
		h.advance("24h")
		debit("e2", api.DebitCreate{Amount: amtp("3")})
		debit("e3", api.DebitCreate{Unit: "sms", Quantity: amtp("4"), UnitPrice: amtp("0.01")})
		h.advance("24h") // the promotional credit expires with 12.00 left (the 3.00 took it first)
		h.check()

		from, to := clockStart.Add(-time.Hour), clockStart.Add(49*time.Hour)
		q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
		var credits api.CreditsReport
		h.reportJSON(client.ReportCredits, q, &credits)
		got := map[string]string{}
		for _, r := range credits.Totals {
			got[r.Currency+r.Unit] = r.Granted.String() + " " + r.Consumed.String() + " " + r.Expired.String() + " " +
				r.Voided.String() + " " + r.Remaining.String()
		}
		want := map[string]string{"USD": "130.00 8.00 12.00 10.00 100.00", "sms": "10.00 4.00 0.00 0.00 6.00"}
		if len(got) != 2 || got["USD"] != want["USD"] || got["sms"] != want["sms"] {
			t.Fatalf("credit totals %v, want %v", got, want)
		}
		if b := h.balance(a.ID); b.Balance.String() != "100.00" {
			t.Fatalf("balance %s, the report's remaining 100.00", b.Balance)
		}
		// CSV and JSON agree, row for row.
		qc := url.Values{"format": {"csv"}}
		for k, v := range q {
			qc[k] = v
		}
		records := h.reportCSV(client.ReportCredits, qc)
		if len(records) != len(credits.Data)+1 || records[0][0] != "period_start" {
			t.Fatalf("csv has %d records for %d rows: %v", len(records), len(credits.Data), records)
		}
		for i, r := range credits.Data {
			c := records[i+1]
			if c[2] != r.Currency || c[3] != r.Unit || c[5] != r.Category || c[7] != r.Granted.String() ||
				c[8] != r.Consumed.String() || c[9] != r.Expired.String() || c[10] != r.Voided.String() || c[11] != r.Remaining.String() {
				t.Fatalf("csv row %v, json row %+v", c, r)
			}
		}

		var now, then api.LiabilityReport
		h.reportJSON(client.ReportLiability, url.Values{}, &now)
		h.reportJSON(client.ReportLiability, url.Values{"at": {past.Format(time.RFC3339)}}, &then)
		liab := func(r api.LiabilityReport) map[string]string {
			m := map[string]string{}
			for _, x := range r.Data {
				m[x.Currency+x.Unit+" "+x.Category+" "+x.Bucket] = x.Amount.String()
			}
			return m
		}
		if m := liab(now); len(m) != 2 || m["USD paid never"] != "100.00" || m["sms paid never"] != "6.00" {
			t.Fatalf("liability now: %v", m)
		}
		if m := liab(then); len(m) != 3 || m["USD paid never"] != "100.00" || m["USD promotional 30d"] != "15.00" || m["sms paid never"] != "10.00" {
			t.Fatalf("liability an hour in: %v", m)
		}

		var usage api.UsageReport
		h.reportJSON(client.ReportUsage, url.Values{"from": q["from"], "to": q["to"], "account_id": {a.ID}}, &usage)
		rows := map[string]string{}
		for _, r := range usage.Data {
			rows[r.Date+" "+r.SubaccountID+" "+r.Unit] = r.Quantity.String() + " " + r.Amount.String()
		}
		d0, d1 := clockStart.Format(time.DateOnly), clockStart.Add(24*time.Hour).Format(time.DateOnly)
		if len(rows) != 3 || rows[d0+" "+sub.ID+" "] != "0.00 5.00" || rows[d1+"  "] != "0.00 3.00" || rows[d1+"  sms"] != "4.00 0.00" {
			t.Fatalf("usage rows %v", rows)
		}
		if len(usage.Totals) != 2 || usage.Totals[0].Total.String() != "8.00" || usage.Totals[1].Total.String() != "4.00" {
			t.Fatalf("usage totals %+v", usage.Totals)
		}
		ucsv := h.reportCSV(client.ReportUsage, url.Values{"from": q["from"], "to": q["to"], "account_id": {a.ID}, "format": {"csv"}})
		if len(ucsv) != 4 {
			t.Fatalf("usage csv %v", ucsv)
		}

		rw, err := h.admin.Runway(h.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 8.00 over the account's two days: 4.00 a day, 100.00 lasts 25 days.
		if rw.Days == nil || *rw.Days != 25 || rw.BurnPerDay.String() != "4.00" || rw.Available.String() != "100.00" {
			t.Fatalf("runway %+v", rw)
		}
		idle := h.account("Idle", "")
		rw, err = h.admin.Runway(h.ctx, idle.ID)
		if err != nil || rw.Days != nil || rw.Reason == "" {
			t.Fatalf("runway of an idle account: %+v, %v", rw, err)
		}
	})
}

func (h *harness) reportJSON(path string, q url.Values, v any) {
	h.t.Helper()
	data, err := h.admin.Report(h.ctx, path, q)
	if err != nil {
		h.t.Fatalf("report %s: %v", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		h.t.Fatalf("report %s: %v", path, err)
	}
}

func (h *harness) reportCSV(path string, q url.Values) [][]string {
	h.t.Helper()
	data, err := h.admin.Report(h.ctx, path, q)
	if err != nil {
		h.t.Fatalf("report %s: %v", path, err)
	}
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		h.t.Fatalf("report %s: %v\n%s", path, err, data)
	}
	return records
}
